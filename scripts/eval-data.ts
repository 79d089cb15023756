/** Reads evaluation sets: GSM8K (question, answer with "#### "), MATH500 (problem, answer, subject, level), synthetic (question, answer). */
import { readFileSync } from 'node:fs';

export interface EvalItem {
  id: string;
  question: string;
  gold: string;
  subject?: string;
  level?: string | number;
}

export function readEvalSet(path: string, limit?: number): EvalItem[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const items = lines.map((line, i) => {
    const row = JSON.parse(line) as Record<string, unknown>;
    const question = String(row.question ?? row.problem ?? '');
    let gold = String(row.answer ?? '');
    if (gold.includes('####')) gold = gold.slice(gold.lastIndexOf('####') + 4).trim();
    const item: EvalItem = { id: String(row.id ?? row.unique_id ?? i), question, gold };
    if (row.subject !== undefined) item.subject = String(row.subject);
    if (row.level !== undefined) item.level = row.level as string | number;
    return item;
  });
  return limit ? items.slice(0, limit) : items;
}
