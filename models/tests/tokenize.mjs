// Tokenizes texts with transformers.js from a local package folder (offline), for test_convert.py.
//   node models/tests/tokenize.mjs <package dir> <texts.json>   -> { plain: [[ids]], special: [[ids]], decoded: [text] }
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, textsPath] = process.argv.slice(2);
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = path.dirname(path.resolve(dir)) + path.sep;
const tok = await AutoTokenizer.from_pretrained(path.basename(path.resolve(dir)));
const texts = JSON.parse(readFileSync(textsPath, 'utf8'));
const plain = texts.map((t) => tok.encode(t, { add_special_tokens: false }));
const special = texts.map((t) => tok.encode(t));
const decoded = plain.map((ids) => (ids.length ? tok.decode(ids, { skip_special_tokens: true }) : ''));
console.log(JSON.stringify({ plain, special, decoded }));
