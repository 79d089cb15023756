/**
 * The embed page's settings, read from its URL (`/embed.html?origins=…&problem=…`) and
 * from the build: which parent origins may drive it, the first problem, theme, compact
 * mode and number of samples. Anything out of range falls back to its default.
 */
import { MAX_PROBLEM_CHARS, parseOrigins } from './protocol.ts';

export type Theme = 'light' | 'dark' | 'auto';

export interface EmbedConfig {
  /** Parent origins whose messages are read and to which events are sent. */
  origins: string[];
  problem: string;
  theme: Theme;
  compact: boolean;
  samples: number;
}

export const DEFAULT_EMBED_SAMPLES = 4;

/** Origins allowed by every embed page of this build (`VITE_EMBED_ORIGINS`, comma-separated). */
export function buildTimeOrigins(): string[] {
  return parseOrigins(import.meta.env.VITE_EMBED_ORIGINS as string | undefined);
}

export function parseTheme(value: string | null | undefined): Theme {
  return value === 'light' || value === 'dark' ? value : 'auto';
}

/** A boolean attribute or parameter: present and not "false"/"0". */
export function parseFlag(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && value !== 'false' && value !== '0';
}

export function parseSamples(value: string | null | undefined): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n >= 1 && n <= 16 ? n : DEFAULT_EMBED_SAMPLES;
}

export function readEmbedConfig(search: string, defaults: string[] = buildTimeOrigins()): EmbedConfig {
  const params = new URLSearchParams(search);
  return {
    origins: [...new Set([...defaults, ...parseOrigins(params.get('origins'))])],
    problem: (params.get('problem') ?? '').slice(0, MAX_PROBLEM_CHARS),
    theme: parseTheme(params.get('theme')),
    compact: parseFlag(params.get('compact')),
    samples: parseSamples(params.get('samples')),
  };
}
