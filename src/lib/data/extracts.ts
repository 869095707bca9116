/**
 * Extracts from the gateway into the engine: the manifest, then only the files a view needs,
 * fetched with the bearer token, checked against the manifest's sha256 (WebCrypto) before
 * use, kept in the Cache API by hash (a reload downloads nothing unchanged), and loaded into
 * one table, `extract`. Every scoped file carries its benchmarks (its Regione, Italia), so a
 * territory's rows are taken from the first file that brought them and never counted twice.
 */
import { mark } from '#lib/perf.ts';
import { benchmarkSummaryPath, codeOf, extractPath, levelOf, reaches, summaryPath, type FirstViewSummary, type Manifest, type ManifestFile, type SummaryFile, type TerritoryId } from '#contracts';
import { identifier, type Engine } from './engine.ts';
import { assembleSummary } from './series.ts';
import { CACHE_NAME } from './stored.ts';

/** Why an extract could not be used; the UI turns the kind into an Italian message. */
export class ExtractError extends Error {
	/** `updated`: a publish replaced the files in use and the new ones could not be read either. */
	readonly kind: 'network' | 'forbidden' | 'integrity' | 'missing' | 'updated';
	constructor(kind: ExtractError['kind'], message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'ExtractError';
		this.kind = kind;
	}
}

export interface ExtractDeps {
	fetch: typeof fetch;
	/** The access token (the auth module's `getAccessToken`). */
	getToken: () => string | null | Promise<string | null>;
	/** The user's accredited territories (what the token's scope reaches). */
	territories: () => readonly TerritoryId[];
	engine: () => Promise<Engine>;
	/** Browser Cache API; null in tests or where it is unavailable (http on a non-local host). */
	caches: CacheStorage | null;
	/** Where `manifest.json` lives, ending with `/`. */
	base?: string;
	/** The territories the first view will show: their summaries are requested as soon as the manifest is in. */
	firstView?: () => readonly TerritoryId[];
	onProgress?: (path: string, loaded: number, total: number) => void;
	onDone?: (path: string) => void;
}


/**
 * The summary file of scope `id` in `m` and the file holding its benchmarks: for Italia its
 * own; otherwise the benchmark file of its Regione (a few kB: Italia and that Regione), or
 * `summary/italia.json` (every Regione, ~100 kB at 91 months) in versions without one.
 */
export function summaryFiles(m: Manifest, id: TerritoryId): [ManifestFile | null, ManifestFile | null] {
	const at = (rel: string) => m.files.find((f) => f.kind === 'summary' && f.path === `${m.version}/${rel}`) ?? null;
	const italia = at(summaryPath(extractPath('it')!));
	if (id === 'it') return [italia, italia];
	// benchmark files have scope `it`: the only summary of scope `id` is its own
	const own = m.files.find((f) => f.kind === 'summary' && f.scope === id) ?? null;
	const regione = levelOf(id) === 'regione' ? id : own?.within.find((w) => levelOf(w) === 'regione');
	return [own, (regione && at(benchmarkSummaryPath(regione))) || italia];
}

/** Where the Cache API keeps a file's bytes: by content, so a publish that leaves a file unchanged downloads nothing. */
const cacheKey = (file: ManifestFile) => `/__cruscotto/extracts/${file.sha256}`;

/** Hex sha256 of `bytes` (WebCrypto: the browser's and Node's `crypto.subtle`). */
export async function sha256(bytes: Uint8Array): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The manifest and the extracts of one signed-in user. */
export class ExtractStore {
	#deps: ExtractDeps;
	#manifest: Promise<Manifest> | null = null;
	#loading = new Map<string, Promise<void>>();
	/** Scopes whose file is in `extract` (paths change with every publish; scopes do not). */
	#loadedScopes = new Set<TerritoryId>();
	#refetch: Promise<Manifest> | null = null;
	/** A publish replaced the version this page started with (its files may be mixed in `extract`). */
	#republished = false;
	#listeners = new Set<(m: Manifest) => void>();
	#columns: string[] | null = null;
	#queue: Promise<unknown> = Promise.resolve();
	/** First-view summaries parsed and assembled, by their files' paths (shared, never mutated by their readers). */
	#summaries = new Map<string, Promise<FirstViewSummary | null>>();
	/** The verified bytes of summary files, by path: the first view's are requested as soon as the manifest is in. */
	#summaryBytes = new Map<string, Promise<Uint8Array>>();
	/** The Cache API's cache and the keys it held when opened (so a file it lacks goes to the network at once). */
	#cache: Promise<{ cache: Cache; held: Set<string> } | null> | null = null;
	/** Bytes requested before the manifest was in (`early`), by path: unverified until the manifest lists the path. */
	#early = new Map<string, Promise<Uint8Array | null>>();
	/** Files registered in the engine, by sha256: the name `read_parquet` takes. */
	#registered = new Map<string, Promise<string>>();
	/** Verifications in flight, by sha256 (`#verified`). */
	#verifying = new Map<string, Promise<{ file: ManifestFile; bytes: Uint8Array }>>();
	/** What the table's loads wait for before they use the engine (`hold`). */
	#loadsAfter: Promise<unknown> = Promise.resolve();

	constructor(deps: ExtractDeps) {
		this.#deps = deps;
	}

	/** Opens the extracts' cache and lists it now (call early: the first view's files then wait for nothing but the network). */
	warmCache(): void {
		void this.#openCache();
	}

	/**
	 * Requests `path` (under the gateway's `extracts/`, with its version) now, before the manifest
	 * says what it is: the first view's summaries then travel beside the manifest instead of after
	 * it. The bytes are used only for a manifest file of that path, and only if they have its
	 * sha256 (checked as for any download); a failed request just leaves the file to the usual path.
	 */
	early(path: string): void {
		if (this.#early.has(path)) return;
		this.#early.set(
			path,
			this.#get(path).then(
				async (r) => new Uint8Array(await r.arrayBuffer()),
				() => null
			)
		);
	}

	/** The published manifest (fetched once per store, and again after a publish is detected). */
	manifest(): Promise<Manifest> {
		this.#manifest ??= this.#get('manifest.json', { cache: 'no-cache' })
			.then((r) => r.json() as Promise<Manifest>)
			.then((m) => {
				this.#prefetchSummaries(m);
				// Everything that reads the manifest (and renders what it implies) waits one task, so the
				// summary requests above are sent first: each of their awaits would otherwise queue behind
				// the render the manifest triggers (~50-100 ms of breadcrumb, picker and footer).
				return new Promise<Manifest>((resolve) =>
					setTimeout(() => {
						for (const fn of this.#listeners) fn(m);
						resolve(m);
					}, 0)
				);
			})
			.catch((e: unknown) => {
				this.#manifest = null;
				throw e;
			});
		return this.#manifest;
	}

	/** Calls `fn` with every manifest read from now on (the first, and the one fetched after a publish); returns the unsubscribe. */
	onManifest(fn: (m: Manifest) => void): () => void {
		this.#listeners.add(fn);
		return () => this.#listeners.delete(fn);
	}

	/** The file of `kind` whose scope is `id`, or null. */
	async fileFor(id: TerritoryId, kind: ManifestFile['kind'] = 'extract'): Promise<ManifestFile | null> {
		return (await this.manifest()).files.find((f) => f.kind === kind && f.scope === id) ?? null;
	}

	/**
	 * The first-view summary of scope `id`, or null: its summary file and its benchmarks' (the
	 * benchmark file of its Regione; `summary/italia.json` in versions without them), fetched
	 * together, verified and cached like the extracts.
	 */
	async summary(id: TerritoryId): Promise<FirstViewSummary | null> {
		const m = await this.manifest();
		const [file, bench] = summaryFiles(m, id);
		if (!file || !bench) return null;
		// Parsed and assembled once per pair of files: the header reads the user's summaries for their
		// names while the home view reads the same ones for its first view (both on the start-up path).
		const key = `${file.path}|${bench.path}`;
		let assembled = this.#summaries.get(key);
		if (!assembled) {
			const read = async (f: ManifestFile) => JSON.parse(new TextDecoder().decode(await this.#summaryFile(f))) as SummaryFile;
			assembled = Promise.all([read(file), file === bench ? null : read(bench)]).then(([own, benchmarks]) => assembleSummary(own, benchmarks ?? own));
			this.#summaries.set(key, assembled);
			assembled.catch(() => this.#summaries.delete(key));
		}
		return assembled;
	}

	#summaryFile(file: ManifestFile): Promise<Uint8Array> {
		let bytes = this.#summaryBytes.get(file.path);
		if (!bytes) {
			bytes = this.bytes(file);
			this.#summaryBytes.set(file.path, bytes);
			bytes.catch(() => this.#summaryBytes.delete(file.path));
		}
		return bytes;
	}

	/** Requests the summaries of `deps.firstView` and their benchmarks': what the first view shows. */
	#prefetchSummaries(m: Manifest): void {
		for (const id of this.#deps.firstView?.() ?? []) for (const f of summaryFiles(m, id)) if (f) void this.#summaryFile(f).catch(() => undefined);
	}

	/**
	 * Makes the rows of `id` and of every territory inside it queryable in `extract`: loads the
	 * file whose scope is `id` unless a file that contains it is already loaded. For a territory
	 * without its own file (a Provincia), loads nothing when its rows are already there; a Comune or
	 * ATS without one, not loaded yet, comes with its Regione's file (`containingFile`).
	 */
	async ensureScope(id: TerritoryId): Promise<void> {
		const own = await this.fileFor(id);
		if (!own && (await this.#hasRows(id))) return;
		// No file of its own (a Comune or ATS of a Regione published without them): the nearest file that holds it.
		const file = own ?? (await this.containingFile(id));
		if (!file) {
			// The gateway lists every file to a national user, and only the readable ones to anyone else.
			if (levelOf(id) === 'comune' || levelOf(id) === 'ats') {
				if (!this.#deps.territories().includes('it')) throw new ExtractError('forbidden', `No readable extract holds ${id}`);
			}
			throw new ExtractError('missing', `No extract serves ${id}`);
		}
		if (!reaches(this.#deps.territories(), file)) throw new ExtractError('forbidden', `Scope does not reach ${id}`);
		if (this.#loadedScopes.has(file.scope) || file.within.some((w) => w !== 'it' && this.#loadedScopes.has(w))) return;
		let pending = this.#loading.get(file.path);
		if (!pending) {
			pending = this.#load(file);
			this.#loading.set(file.path, pending);
			pending.catch(() => this.#loading.delete(file.path));
		}
		await pending;
		if (!own && !(await this.#hasRows(id))) throw new ExtractError('missing', `${file.scope}'s extract does not hold ${id}`);
	}

	/**
	 * For a Comune or ATS without a file of its own in the manifest, the file of its Regione
	 * (which holds the Regione's ATS and Comuni), when the manifest lists it; null otherwise, or
	 * for any other territory. An ATS's Regione is the `within` of a file inside it, else the
	 * code's region digits (`a:T05015`, `a:X15038`); a Comune's is its Provincia's parent in
	 * `italia.parquet` (the first three digits of an ISTAT code are its Provincia's). Nothing
	 * published says which ATS holds a Comune whose rows are not loaded, so its ATS file is not
	 * looked for: the pipeline writes the ATS and Comune files of a Regione together.
	 */
	async containingFile(id: TerritoryId): Promise<ManifestFile | null> {
		const level = levelOf(id);
		if (level !== 'comune' && level !== 'ats') return null;
		const m = await this.manifest();
		const extract = (scope: TerritoryId) => m.files.find((f) => f.kind === 'extract' && f.scope === scope) ?? null;
		let regione: TerritoryId | null = null;
		if (level === 'ats') {
			regione = m.files.find((f) => f.within.includes(id))?.within.find((w) => levelOf(w) === 'regione') ?? null;
			const digits = /^a:[A-Z](\d{2})\d{3}$/.exec(id);
			if (!regione && digits) regione = `r:${digits[1]}`;
		} else {
			const italia = extract('it');
			if (!italia) return null;
			const name = await this.register(italia);
			const engine = await this.#deps.engine();
			const rows = await engine.query(`SELECT parent_id FROM read_parquet('${name}') WHERE territory_id = ? AND level = 'provincia' LIMIT 1`, [`p:${codeOf(id).slice(0, 3)}`]);
			regione = (rows[0]?.parent_id as string | null | undefined) ?? null;
		}
		return regione ? extract(regione) : null;
	}

	/**
	 * Makes `file` readable as `read_parquet(<name>)` in the engine without adding it to `extract`,
	 * and resolves with that name: for a view's first answer from a file smaller than its scope's
	 * (`smallerSource`). Registered once per file.
	 */
	async register(file: ManifestFile): Promise<string> {
		const have = this.#registered.get(file.sha256);
		if (have) return have;
		const verified = await this.#verified(file);
		return this.#registerBytes(verified.file, verified.bytes);
	}

	/**
	 * Whether `file`'s bytes are at hand without a download: registered in the engine already, or
	 * held by the Cache API when it was listed at boot (a returning user's browser).
	 */
	async held(file: ManifestFile): Promise<boolean> {
		if (this.#registered.has(file.sha256)) return true;
		const opened = await this.#openCache();
		return opened?.held.has(cacheKey(file)) ?? false;
	}

	/**
	 * The table's loads use the engine only once `work` is settled (their bytes are still read or
	 * downloaded meanwhile): DuckDB's worker runs one request at a time, and a Regione's table takes
	 * ~0.6 s to build, which a view's first answer queued behind it would wait for.
	 */
	hold(work: Promise<unknown>): void {
		const before = this.#loadsAfter;
		this.#loadsAfter = Promise.all([before, work.catch(() => undefined)]);
	}

	#registerBytes(file: ManifestFile, bytes: Uint8Array): Promise<string> {
		let name = this.#registered.get(file.sha256);
		if (!name) {
			const registered = `${file.sha256}.parquet`;
			name = this.#deps.engine().then(async (engine) => {
				await engine.registerFile(registered, bytes);
				return registered;
			});
			this.#registered.set(file.sha256, name);
			name.catch(() => this.#registered.delete(file.sha256));
		}
		return name;
	}

	/** The verified bytes of `file`, from the cache when its hash is there (after a publish: of its successor). */
	async bytes(file: ManifestFile): Promise<Uint8Array> {
		return (await this.#verified(file)).bytes;
	}

	/**
	 * The verified bytes of `file` (or of its successor after a publish, `#verify`). One request per
	 * file at a time: a file registered for a query and loaded into the table at once
	 * (italia.parquet, for a national user looking up a Comune's Regione while the picker loads
	 * Italia) is fetched once.
	 */
	#verified(file: ManifestFile): Promise<{ file: ManifestFile; bytes: Uint8Array }> {
		let pending = this.#verifying.get(file.sha256);
		if (!pending) {
			pending = this.#verify(file);
			this.#verifying.set(file.sha256, pending);
			const done = () => this.#verifying.delete(file.sha256);
			pending.then(done, done);
		}
		return pending;
	}

	/**
	 * The bytes of `file`, or — when a publish has replaced it since the manifest was read (the
	 * gateway then refuses the old path: 403/404) — of the file serving the same scope in the
	 * manifest fetched again, once.
	 */
	async #verify(file: ManifestFile): Promise<{ file: ManifestFile; bytes: Uint8Array }> {
		try {
			return { file, bytes: await this.#cachedOrDownloaded(file) };
		} catch (e) {
			const next = await this.#successor(file, e);
			try {
				return { file: next, bytes: await this.#cachedOrDownloaded(next) };
			} catch (again) {
				throw new ExtractError('updated', `${next.path} unreadable after the publish of ${file.path}'s successor`, { cause: again });
			}
		}
	}

	/** The file that replaced `file` in the current manifest; rethrows `error` when nothing was published in between. */
	async #successor(file: ManifestFile, error: unknown): Promise<ManifestFile> {
		if (!(error instanceof ExtractError) || (error.kind !== 'forbidden' && error.kind !== 'missing')) throw error;
		// One refetch shared by every download that failed together.
		this.#refetch ??= (() => {
			this.#manifest = null;
			return this.manifest().finally(() => (this.#refetch = null));
		})();
		const manifest = await this.#refetch.catch(() => {
			throw error;
		});
		const next = manifest.files.find((f) => f.kind === file.kind && f.scope === file.scope);
		if (!next || next.path === file.path) {
			// After a publish, the new version failing again is still the publish's doing ("Riprova" after the message).
			if (this.#republished && next) throw new ExtractError('updated', `${file.path} unreadable after a publish`, { cause: error });
			throw error;
		}
		this.#republished = true;
		return next;
	}

	#openCache(): Promise<{ cache: Cache; held: Set<string> } | null> {
		const caches = this.#deps.caches;
		this.#cache ??= caches
			? caches
					.open(CACHE_NAME)
					.then(async (cache) => ({ cache, held: new Set((await cache.keys()).map((r) => new URL(r.url).pathname)) }))
					.catch(() => null)
			: Promise.resolve(null);
		return this.#cache;
	}

	async #cachedOrDownloaded(file: ManifestFile): Promise<Uint8Array> {
		const key = cacheKey(file);
		const opened = await this.#openCache();
		// Not held when the cache was listed: no lookup (another tab may have stored it since; then it is fetched again).
		const hit = opened?.held.has(key) ? await opened.cache.match(key).catch(() => undefined) : undefined;
		if (hit) {
			const bytes = new Uint8Array(await hit.arrayBuffer());
			if ((await sha256(bytes)) === file.sha256) return bytes;
			opened?.held.delete(key);
			await opened?.cache.delete(key);
		}
		const early = this.#early.get(file.path);
		this.#early.delete(file.path);
		const bytes = (await early) ?? (await this.#download(file));
		if ((await sha256(bytes)) !== file.sha256) {
			throw new ExtractError('integrity', `Checksum mismatch for ${file.path}`);
		}
		// Not awaited: the disk write took up to 0.7 s on a loaded machine, on the first view's path.
		if (opened) {
			opened.held.add(key);
			void opened.cache.put(key, new Response(bytes as Uint8Array<ArrayBuffer>)).catch(() => undefined);
		}
		return bytes;
	}

	async #load(requested: ManifestFile): Promise<void> {
		const { file, bytes } = await this.#verified(requested);
		await this.#loadsAfter;
		const name = await this.#registerBytes(file, bytes);
		const engine = await this.#deps.engine();
		// One load at a time: each INSERT reads the table the previous one wrote.
		const step = this.#queue.then(() => this.#insert(engine, name));
		this.#queue = step.catch(() => undefined);
		await step;
		this.#loadedScopes.add(file.scope);
		mark('extractLoaded');
	}

	async #insert(engine: Engine, name: string): Promise<void> {
		if (!this.#columns) {
			await engine.query(`CREATE TABLE extract AS SELECT * FROM read_parquet('${name}')`);
			const cols = await engine.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'extract' ORDER BY ordinal_position`);
			this.#columns = cols.map((c) => identifier(String(c.column_name)));
			return;
		}
		const cols = this.#columns.join(', ');
		await engine.query(
			`INSERT INTO extract (${cols}) SELECT ${cols} FROM read_parquet('${name}') WHERE territory_id NOT IN (SELECT DISTINCT territory_id FROM extract)`
		);
	}

	async #hasRows(id: TerritoryId): Promise<boolean> {
		if (!this.#columns) return false;
		const engine = await this.#deps.engine();
		const rows = await engine.query('SELECT 1 AS x FROM extract WHERE territory_id = ? LIMIT 1', [id]);
		return rows.length > 0;
	}

	async #download(file: ManifestFile): Promise<Uint8Array> {
		const res = await this.#get(file.path);
		const { onProgress, onDone } = this.#deps;
		if (!res.body) return new Uint8Array(await res.arrayBuffer());
		const out = new Uint8Array(file.bytes);
		const chunks: Uint8Array[] = [];
		let loaded = 0;
		const reader = res.body.getReader();
		onProgress?.(file.path, 0, file.bytes);
		// At most one progress report per 100 ms: each redraws the loading bar, and a Regione's file
		// comes in ~20 chunks on a fast link, while the first view renders.
		let reported = Date.now();
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			if (loaded + value.length <= out.length) out.set(value, loaded);
			chunks.push(value);
			loaded += value.length;
			if (Date.now() - reported >= 100) {
				reported = Date.now();
				onProgress?.(file.path, loaded, file.bytes);
			}
		}
		onDone?.(file.path);
		if (loaded === out.length) return out;
		// A size other than the manifest's: assemble what came; the checksum will judge it.
		const all = new Uint8Array(loaded);
		let at = 0;
		for (const c of chunks) all.set(c, (at += c.length) - c.length);
		return all;
	}

	async #get(path: string, init: RequestInit = {}): Promise<Response> {
		const token = await this.#deps.getToken();
		let res: Response;
		try {
			res = await this.#deps.fetch(`${this.#deps.base ?? '/extracts/'}${path}`, {
				...init,
				headers: token ? { authorization: `Bearer ${token}` } : {}
			});
		} catch (e) {
			throw new ExtractError('network', `Cannot reach the gateway for ${path}`, { cause: e });
		}
		if (res.status === 401 || res.status === 403) throw new ExtractError('forbidden', `${res.status} for ${path}`);
		if (!res.ok) throw new ExtractError(res.status === 404 ? 'missing' : 'network', `${res.status} for ${path}`);
		return res;
	}
}
