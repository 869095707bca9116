/**
 * Logs in through the real pages — the app's "Accedi", the provider's "Codice fiscale" and
 * "Entra" — with one in-page step function, so Playwright (bench/browser.ts) and Puppeteer
 * (bench/lighthouse.ts, which Lighthouse requires) drive the same flow.
 */

export type LoginStep = 'done' | 'acted' | 'waiting';

/**
 * One step, run inside the page: fills and submits the provider's form, presses the app's
 * "Accedi" or a consent button, or says the app shows the signed-in home view.
 * Self-contained (it is serialized into the page).
 */
export function loginStep(args: { appOrigin: string; fiscalCode: string }): LoginStep {
	// Act once per document: a second click while the first one navigates would submit twice.
	const w = window as unknown as { __benchActed?: boolean };
	if (w.__benchActed) return 'waiting';
	const act = (el: HTMLElement): LoginStep => {
		w.__benchActed = true;
		el.click();
		return 'acted';
	};
	const buttons = [...document.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input[type=submit]')];
	const byText = (re: RegExp) => buttons.find((b) => re.test((b.textContent || b.value || '').trim()) && !b.disabled);
	if (location.origin === args.appOrigin) {
		// The callback route finishes the login by itself (its header may say "Accedi" meanwhile).
		if (location.pathname.startsWith('/auth/')) return 'waiting';
		if (document.querySelector('[data-auth-status="authenticated"]')) return 'done';
		const accedi = byText(/^Accedi$/);
		return accedi ? act(accedi) : 'waiting';
	}
	const label = [...document.querySelectorAll('label')].find((l) => /^\s*Codice fiscale\s*$/i.test(l.textContent ?? ''));
	const input = (label?.control ?? (label?.htmlFor ? document.getElementById(label.htmlFor) : null)) as HTMLInputElement | null;
	const entra = byText(/^Entra$/);
	if (input && entra) {
		input.value = args.fiscalCode;
		input.dispatchEvent(new Event('input', { bubbles: true }));
		return act(entra);
	}
	const consent = byText(/^(Continua|Autorizza|Consenti|Acconsento|Continue|Yes, continue)$/i);
	return consent ? act(consent) : 'waiting';
}

/**
 * Repeats `loginStep` until the app shows the signed-in view. `evaluate` runs the step in the
 * page's current document; a navigation during a step just means "try again".
 */
export async function driveLogin(
	evaluate: (args: { appOrigin: string; fiscalCode: string }) => Promise<LoginStep>,
	args: { appOrigin: string; fiscalCode: string },
	timeoutMs = 60_000
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		const step = await evaluate(args).catch(() => 'waiting' as const);
		if (step === 'done') return;
		await new Promise((r) => setTimeout(r, 30));
	}
	throw new Error(`Login as ${args.fiscalCode} did not reach the signed-in app in ${timeoutMs} ms`);
}
