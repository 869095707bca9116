/**
 * `npm run accreditation -- <command> ...` — the accreditation registry (docs/accreditation.md).
 * Exit status 0 on success, 1 when a change is refused (row-level errors on stderr), 2 on
 * usage errors.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { RegistryError, addMinistero, confirm, currentState, exportRegistry, importFile, revoke, type ImportKind } from './registry.ts';
import { loadTerritoryMap } from './territory-map.ts';

const USAGE = `usage: npm run accreditation -- <command> [options]

  import-regione FILE            regional form export (pending until confirmed)
  import-ats FILE                ATS administrator's form export (pending until confirmed)
                                 needs --extracts DIR or --ats-map FILE
  import-gepi FILE               GePI roster (amministratori, coordinatori: confirmed directly)
  add-ministero --fiscal-code CF --name N --family-name F
  confirm CF|ID... --pec REF     confirm pending accreditations (PEC "Accreditamento dashboard")
  revoke CF|ID... [--reason TEXT] [--pec REF]
  list [--json] [--status pending|confirmed|revoked]
  export --out FILE              the registry file the identity provider reads

options: --registry DIR (default var/accreditation or $ACCREDITATION_DIR), --by WHO (default: the OS user)`;

const IMPORTS: Record<string, ImportKind> = { 'import-regione': 'regione', 'import-ats': 'ats', 'import-gepi': 'gepi' };

async function main(argv: string[]): Promise<number> {
	const { values, positionals } = parseArgs({
		args: argv,
		allowPositionals: true,
		options: {
			registry: { type: 'string' },
			by: { type: 'string' },
			extracts: { type: 'string' },
			'ats-map': { type: 'string' },
			pec: { type: 'string' },
			reason: { type: 'string' },
			json: { type: 'boolean' },
			status: { type: 'string' },
			out: { type: 'string' },
			'fiscal-code': { type: 'string' },
			name: { type: 'string' },
			'family-name': { type: 'string' },
			help: { type: 'boolean', short: 'h' }
		}
	});
	const [command, ...args] = positionals;
	if (values.help || !command) {
		console.log(USAGE);
		return values.help ? 0 : 2;
	}
	const dir = values.registry ?? process.env.ACCREDITATION_DIR ?? 'var/accreditation';
	const who = { actor: values.by ?? os.userInfo().username };

	if (command in IMPORTS) {
		if (args.length !== 1) throw new UsageError(`${command} takes one CSV file`);
		const map = await loadTerritoryMap({ extracts: values.extracts, atsMap: values['ats-map'] });
		const plan = await importFile(dir, IMPORTS[command], args[0], map, who);
		const pending = plan.events.filter((e) => e.action === 'request').length;
		console.log(`${args[0]}: ${plan.events.length} added (${plan.events.length - pending} confirmed, ${pending} pending), ${plan.unchanged.length} unchanged`);
		return 0;
	}
	switch (command) {
		case 'add-ministero': {
			const id = await addMinistero(dir, { fiscal_code: values['fiscal-code'] ?? '', name: values.name ?? '', family_name: values['family-name'] ?? '' }, who);
			console.log(`${id}: ministero accredited`);
			return 0;
		}
		case 'confirm':
		case 'revoke': {
			const done = command === 'confirm' ? await confirm(dir, args, values.pec, who) : await revoke(dir, args, values.reason, values.pec, who);
			for (const a of done) console.log(`${a.id} ${a.fiscal_code} ${a.role} ${a.territory}: ${command === 'confirm' ? 'confirmed' : 'revoked'}`);
			return 0;
		}
		case 'list': {
			const { state, entries, conflicts } = await currentState(dir);
			if (values.json) {
				const list = entries.filter((e) => !values.status || e.status === values.status);
				console.log(JSON.stringify(list.map(({ fiscal_code, role, territories, status }) => ({ fiscal_code, role, territories, status }))));
			} else {
				for (const a of state.values()) {
					if (values.status && a.status !== values.status) continue;
					console.log([a.id, a.fiscal_code, `${a.family_name} ${a.name}`, a.role, a.territory, a.status, a.source, a.pec_ref ?? ''].join('\t'));
				}
			}
			for (const c of conflicts) console.error(`conflict: ${c.fiscal_code} holds ${c.accreditations.map((a) => `${a.role} ${a.territory} (${a.id})`).join(' and ')}`);
			return 0;
		}
		case 'export': {
			if (!values.out) throw new UsageError('export needs --out FILE');
			const entries = await exportRegistry(dir, values.out);
			console.log(`${values.out}: ${entries.length} entries`);
			return 0;
		}
		default:
			throw new UsageError(`unknown command ${JSON.stringify(command)}`);
	}
}

class UsageError extends Error {}

try {
	process.exitCode = await main(process.argv.slice(2));
} catch (err) {
	if (err instanceof RegistryError) {
		console.error(`error: ${err.message}`);
		process.exitCode = 1;
	} else if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
		console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
		process.exitCode = 2;
	} else {
		console.error(`error: ${(err as Error).message}`);
		process.exitCode = 1;
	}
}
