/** The provider's own pages, in Italian: login (SPID test-IdP style), accreditation status, errors, logout. */
import { ROLE_LABELS, type Role } from '#contracts';
import type { AccreditationStatus } from './registry.ts';

/** An identity listed on the login page (demo only: a real registry is never listed). */
export interface ListedIdentity {
	fiscal_code: string;
	name: string;
	family_name: string;
	role: Role;
	/** e.g. "Regione Veneto (r:05)" */
	territory: string;
	status: AccreditationStatus;
}

const STATUS_NOTES: Record<AccreditationStatus, string> = {
	confirmed: '',
	pending: ' — accreditamento in attesa',
	revoked: ' — accreditamento revocato'
};

/** Escapes text for HTML content and attribute values. */
export function esc(value: string): string {
	return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:0;background:#f2f5f8;color:#17324d}
header{background:#0066cc;color:#fff;padding:1rem 1.5rem}header p{margin:.25rem 0 0;font-size:.9rem}
main{max-width:46rem;margin:1.5rem auto;padding:0 1rem}h1{margin:0;font-size:1.4rem}h2{font-size:1.1rem}
section{background:#fff;border-radius:6px;padding:1rem 1.25rem;margin-bottom:1rem;box-shadow:0 1px 2px #0002}
ul{list-style:none;padding:0;margin:0}li{margin:.4rem 0}li form{margin:0}
.identity{width:100%;text-align:left;padding:.6rem .8rem;border:1px solid #c5d3e0;border-radius:4px;background:#fff;cursor:pointer;font:inherit;color:inherit}
.identity:hover,.identity:focus{border-color:#0066cc;background:#eaf2fb}.identity small{display:block;color:#5c6f82}
label{display:block;font-weight:600;margin-bottom:.3rem}input{font:inherit;padding:.5rem;width:16rem;text-transform:uppercase}
.primary{font:inherit;padding:.5rem 1.2rem;margin-left:.5rem;background:#0066cc;color:#fff;border:0;border-radius:4px;cursor:pointer}
.alert{border-left:4px solid #d9364f;padding:.5rem .8rem;background:#fdecef}a{color:#0066cc}`;

/** A complete HTML page with the provider's header. */
export function page(title: string, body: string, extraHead = ''): string {
	return `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} — Identità di prova Cruscotto</title><style>${STYLE}</style>${extraHead}</head>
<body><header><h1>Identità di prova</h1><p>Fornitore di identità locale (sviluppo e demo): sostituisce l'accesso SPID dell'organizzazione.</p></header>
<main>${body}</main></body></html>`;
}

/** The login page: the demo identities, each one click away, and the codice fiscale form. */
export function loginPage(action: string, identities: readonly ListedIdentity[], error?: string): string {
	const items = identities
		.map(
			(id) => `<li><form method="post" action="${esc(action)}"><input type="hidden" name="fiscal_code" value="${esc(id.fiscal_code)}">
<button class="identity" type="submit" data-fiscal-code="${esc(id.fiscal_code)}" data-role="${esc(id.role)}" data-status="${esc(id.status)}">${esc(`${id.name} ${id.family_name}`)} — ${esc(ROLE_LABELS[id.role])}${STATUS_NOTES[id.status]}
<small>${esc(id.territory)} · ${esc(id.fiscal_code)}</small></button></form></li>`
		)
		.join('\n');
	const list = identities.length
		? `<section><h2>Identità di prova</h2><p>Scegli un'identità per accedere con il suo ruolo e il suo territorio.</p><ul>${items}</ul></section>`
		: '';
	return page(
		'Accesso',
		`${error ? `<p class="alert" role="alert">${esc(error)}</p>` : ''}${list}
<section><h2>Accesso con codice fiscale</h2><form method="post" action="${esc(action)}">
<label for="fiscal_code">Codice fiscale</label>
<input id="fiscal_code" name="fiscal_code" autocomplete="off" spellcheck="false" maxlength="22" required autofocus><button class="primary" type="submit">Entra</button>
</form></section>`
	);
}

/** Shown instead of a token when the accreditation is not (or no longer) confirmed. */
export function statusPage(status: 'pending' | 'revoked', name: string, retryHref: string): string {
	const body =
		status === 'pending'
			? `<h2 data-accreditation="pending">Accreditamento in attesa di conferma</h2>
<p>${esc(name)}, la richiesta di accreditamento al cruscotto è stata registrata ma non è ancora stata confermata dal Ministero del Lavoro e delle Politiche Sociali.</p>
<p>L'accesso ai dati sarà possibile dopo la conferma, che il Ministero registra a seguito della PEC «Accreditamento dashboard» inviata dal referente. Nessun dato è disponibile fino ad allora.</p>`
			: `<h2 data-accreditation="revoked">Accreditamento revocato</h2>
<p>${esc(name)}, l'accreditamento al cruscotto è stato revocato dal Ministero del Lavoro e delle Politiche Sociali: non è più possibile accedere ai dati.</p>
<p>Per un nuovo accreditamento rivolgiti al referente della tua Regione o all'amministratore del tuo Ambito territoriale sociale.</p>`;
	return page(status === 'pending' ? 'Accreditamento in attesa' : 'Accreditamento revocato', `<section>${body}<p><a href="${esc(retryHref)}">Accedi con un'altra identità</a></p></section>`);
}

/** Error page (oidc-provider's renderError), with the protocol error for the developer. */
export function errorPage(error: string, description: string | undefined, appHref?: string): string {
	const back = appHref ? `<p><a href="${esc(appHref)}">Torna al cruscotto</a></p>` : '';
	return page(
		'Errore',
		`<section><h2>Accesso non riuscito</h2><p class="alert" role="alert">La richiesta di accesso non è valida o è scaduta. Torna al cruscotto e riprova.</p>
<p><small>${esc(error)}${description ? `: ${esc(description)}` : ''}</small></p>${back}</section>`
	);
}

/** RP-initiated logout: confirms at once (the app asked for it), with a button when scripts are off. */
export function logoutPage(form: string): string {
	return page(
		'Uscita',
		`<section><h2>Uscita dal cruscotto</h2>${form}<p>Chiusura della sessione in corso…</p>
<button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Esci</button></section>
<script>var f=document.getElementById('op.logoutForm');var i=document.createElement('input');i.type='hidden';i.name='logout';i.value='yes';f.appendChild(i);f.submit();</script>`
	);
}

/** After a logout with no return address. */
export function loggedOutPage(): string {
	return page('Uscita', '<section><h2>Sessione chiusa</h2><p>Sei uscito dal cruscotto.</p></section>');
}
