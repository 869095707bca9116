/**
 * Versions and the manifest: a build writes `<root>/.staging-<version>/` completely, verify
 * checks it, then it is renamed to `<root>/<version>/` and `manifest.json` is replaced by an
 * atomic rename. A run killed at any moment leaves the previous manifest and version intact;
 * leftovers (`.staging-*`, `manifest.json.tmp`) are removed by the next run.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Manifest, ManifestFile } from '../contracts/manifest.ts';
import type { Logger } from './log.ts';

export const MANIFEST = 'manifest.json';
const VERSION_RE = /^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$/;

/** A new version name from the clock (`2026-11-26T051500Z`), unique in `root`. */
export function newVersion(root: string, now = new Date()): string {
	const base = now.toISOString().replace(/[-:]/g, '').replace(/^(\d{4})(\d{2})(\d{2})T(\d{6})\.\d+Z$/, '$1-$2-$3T$4Z');
	let v = base;
	for (let i = 2; existsSync(join(root, v)) || existsSync(join(root, `.staging-${v}`)); i++) v = `${base}-${i}`;
	return v;
}

/** The published manifest, or null when nothing is published yet. */
export function readManifest(root: string): Manifest | null {
	const file = join(root, MANIFEST);
	if (!existsSync(file)) return null;
	return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** sha256 (hex) of a file. */
export function sha256File(file: string): string {
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Manifest entries for files written in a staging folder (read and hashed unless the writer gave size and sha256). */
export function describeFiles(staging: string, version: string, files: (Omit<ManifestFile, 'bytes' | 'sha256'> & { bytes?: number; sha256?: string })[]): ManifestFile[] {
	return files.map((f) => {
		const abs = join(staging, f.path);
		if (f.bytes !== undefined && f.sha256 !== undefined) return { ...f, path: `${version}/${f.path}`, bytes: f.bytes, sha256: f.sha256 };
		return { ...f, path: `${version}/${f.path}`, bytes: statSync(abs).size, sha256: sha256File(abs) };
	});
}

/** Removes what killed runs left behind. */
export function cleanLeftovers(root: string, log: Logger): void {
	if (!existsSync(root)) return;
	for (const name of readdirSync(root)) {
		if (name.startsWith('.staging-') || name === `${MANIFEST}.tmp`) {
			rmSync(join(root, name), { recursive: true, force: true });
			log.info(`removed leftover ${name} of an interrupted run`);
		}
	}
}

function fsyncPath(path: string): void {
	const fd = openSync(path, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** Moves the verified staging folder into place and switches the manifest atomically. */
export function publish(root: string, staging: string, manifest: Manifest): void {
	const target = join(root, manifest.version);
	renameSync(staging, target);
	const tmp = join(root, `${MANIFEST}.tmp`);
	writeFileSync(tmp, JSON.stringify(manifest, null, 1));
	fsyncPath(tmp);
	renameSync(tmp, join(root, MANIFEST));
	fsyncPath(root);
}

/** Keeps the `keep` newest versions (always the published one); returns the versions removed. */
export function prune(root: string, keep: number, current: string): string[] {
	const versions = readdirSync(root).filter((n) => VERSION_RE.test(n)).sort().reverse();
	const kept = new Set([current, ...versions.slice(0, Math.max(1, keep))]);
	const removed = versions.filter((v) => !kept.has(v));
	for (const v of removed) rmSync(join(root, v), { recursive: true, force: true });
	return removed;
}

/** Ensures the root exists. */
export function ensureRoot(root: string): void {
	mkdirSync(root, { recursive: true });
}
