/** Italian messages for what can go wrong while loading data. */
import { ExtractError } from './extracts.ts';

/** What the user reads; every message is shown with a "Riprova" button. */
export function italianError(e: unknown): string {
	if (e instanceof ExtractError) {
		switch (e.kind) {
			case 'network': return 'Impossibile scaricare i dati: il server non risponde. Controlla la connessione e riprova.';
			case 'forbidden': return 'Il tuo profilo non è abilitato a consultare questo territorio, oppure la sessione è scaduta.';
			case 'integrity': return 'I dati ricevuti non corrispondono a quelli pubblicati (controllo di integrità non superato).';
			case 'missing': return 'Non ci sono dati pubblicati per questo territorio.';
			case 'updated': return 'I dati sono stati aggiornati: la versione che stavi consultando non è più disponibile. Ricarica la pagina per vedere i dati nuovi.';
		}
	}
	if (e instanceof Error && e.name === 'NotLoggedInError') return 'La sessione è scaduta: accedi di nuovo.';
	return 'Il motore di analisi dei dati non è riuscito a elaborare la richiesta.';
}
