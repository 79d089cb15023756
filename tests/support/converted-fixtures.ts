/** The converted tiny packages (tests/fixtures/make_converted.py): made when missing or stale. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CONVERTED = 'tests/fixtures/converted';
/** The registry's hub repository, under which the hub imitation serves the tiny package in onnx-community's layout. */
export const HUB_REPO = 'onnx-community/Qwen2.5-Math-1.5B-Instruct';
export const HUB_PACKAGE = `${CONVERTED}/converted-qwen2-hub`;
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** Runs the generator (it returns at once when its outputs are current); '' on success, else why not. */
export function ensureConvertedFixtures(): string {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing (the converted test packages need Python with torch, onnx and numpy)`;
  const run = spawnSync(PYTHON, ['tests/fixtures/make_converted.py'], { encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) return `tests/fixtures/make_converted.py failed: ${(run.stderr || run.stdout || String(run.error)).trim().split('\n').slice(-3).join(' | ')}`;
  return existsSync(`${HUB_PACKAGE}/onnx/model_q4.onnx`) ? '' : `${HUB_PACKAGE} was not written`;
}
