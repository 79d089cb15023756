"""Fast checks of the demo-model tools (seconds, no training):

    /usr/bin/python3 -m unittest discover -s models/tests -v
"""
import json
import os
import random
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
for sub in ('synth', 'tokenizer', 'train', 'export'):
    sys.path.insert(0, os.path.join(HERE, '..', sub))

import torch  # noqa: E402
import onnx  # noqa: E402
from generate import problems, run_code  # noqa: E402
from templates import TEMPLATES  # noqa: E402
from tokenizer import Tokenizer, build  # noqa: E402
from model import Config, Decoder  # noqa: E402
from data import encode_example  # noqa: E402
from corrupt import corrupted_pairs, miscopy, misquote  # noqa: E402


class Generator(unittest.TestCase):
    def test_has_enough_templates(self):
        self.assertGreaterEqual(len(TEMPLATES), 20)

    def test_is_seeded_and_gold_answers_come_from_the_code(self):
        a = list(problems('train', 40))
        b = list(problems('train', 40))
        self.assertEqual(a, b)
        for p in a:
            self.assertEqual(run_code(p['code']), p['answer'])
            self.assertIn(f"Final Answer: ${p['answer']}$", p['solution'])
            self.assertIn('</code>\nOutput: ', p['solution'])

    def test_numbers_stay_at_most_1000(self):
        import re
        for p in problems('train', 300):
            for n in re.findall(r'\d+(?:\.\d+)?', p['question']):
                self.assertLessEqual(float(n), 1000, p['question'])

    def test_heldout_differs_from_train(self):
        train = {p['question'] for p in problems('train', 2000)}
        held = [p['question'] for p in problems('heldout', 50, exclude=train)]
        self.assertFalse(train & set(held))


class Corrupting(unittest.TestCase):
    """The value head's made-up wrong solutions: one change each, and really wrong."""
    problems = list(problems('train', 200))

    def test_a_miscopy_changes_one_number_and_reruns_the_program(self):
        import re
        rng, made = random.Random(3), 0
        for p in self.problems:
            wrong = miscopy(p, rng)
            if wrong is None:
                continue
            made += 1
            code = wrong.split('```python\n')[1].split('\n```')[0]
            before, after = re.findall(r'\d+', p['code']), re.findall(r'\d+', code)
            self.assertEqual(len(before), len(after))
            self.assertEqual(sum(x != y for x, y in zip(before, after)), 1, code)
            out = run_code(code)
            self.assertNotEqual(out, p['answer'])
            self.assertIn(f'Output: {out}\n', wrong)
            self.assertIn(f'Final Answer: ${out}$', wrong)
        self.assertGreater(made, 150)

    def test_a_misquote_keeps_the_program_and_changes_only_the_final_answer(self):
        rng = random.Random(4)
        for p in self.problems[:50]:
            wrong = misquote(p, rng)
            self.assertIsNotNone(wrong)
            keep = p['solution'][:p['solution'].rindex('Final Answer: $')]
            self.assertTrue(wrong.startswith(keep))
            answer = wrong[len(keep):].split('$')[1]
            self.assertNotEqual(float(answer), float(p['answer']))

    def test_pairs_are_seeded(self):
        a = corrupted_pairs(self.problems, 40, random.Random(5))
        self.assertEqual(a, corrupted_pairs(self.problems, 40, random.Random(5)))
        self.assertEqual(len(a), 40)
        for question, right, wrong in a:
            self.assertNotEqual(right, wrong)


class Tokenizing(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        texts = [p['question'] + p['solution'] for p in problems('train', 200)]
        cls.tok = Tokenizer(build(texts, 100))

    def test_round_trips_any_text(self):
        for text in ['Output: naïve 🎉 \x07 tabs\tand\r\nnewlines', '数学 ✓ ∑ π', 'x' * 50, '']:
            self.assertEqual(self.tok.decode(self.tok.encode(text)), text)

    def test_every_number_up_to_999_is_one_token(self):
        for n in [0, 7, 42, 100, 999, '007']:
            self.assertEqual(len(self.tok.encode(str(n))), 1, n)
        self.assertEqual(len(self.tok.encode('123456')), 2)

    def test_loss_mask_covers_only_written_text(self):
        solution = '<p>\nGo.\n</p>\n\n<code>\n```python\nprint(2)\n```\n</code>\nOutput: 2\n\n<p>\nFinal Answer: $2$\n</p>'
        ids, mask = encode_example(self.tok, 'What is 1+1?', solution)
        written = self.tok.decode([i for i, m in zip(ids, mask) if m and i > 1])
        fed = self.tok.decode([i for i, m in zip(ids, mask) if not m])
        self.assertIn('Final Answer', written)
        self.assertNotIn('Output', written)
        self.assertIn('Output: 2', fed)
        self.assertIn('Question:', fed)


class Model(unittest.TestCase):
    def setUp(self):
        torch.manual_seed(0)
        self.c = Config(vocab_size=50, hidden_size=32, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=48)
        self.m = Decoder(self.c).eval()

    def full(self, ids):
        x = torch.tensor([ids])
        return self.m(x, torch.ones_like(x), torch.arange(len(ids)).unsqueeze(0), self.m.empty_past(1))

    @torch.no_grad()
    def test_kv_cache_matches_full_recompute(self):
        ids = [random.Random(1).randrange(50) for _ in range(12)]
        logits_full, values_full, _ = self.full(ids)
        x = torch.tensor([ids[:7]])
        _, _, past = self.m(x, torch.ones_like(x), torch.arange(7).unsqueeze(0), self.m.empty_past(1))
        y = torch.tensor([ids[7:]])
        logits, values, _ = self.m(y, torch.ones(1, 12, dtype=torch.long), torch.arange(7, 12).unsqueeze(0), past)
        self.assertTrue(torch.allclose(logits, logits_full[:, 7:], atol=1e-5))
        self.assertTrue(torch.allclose(values, values_full[:, 7:], atol=1e-6))

    @torch.no_grad()
    def test_left_padding_does_not_change_a_row(self):
        ids = [3, 9, 4, 1, 22]
        alone, _, _ = self.full(ids)
        x = torch.tensor([[0, 0] + ids])
        mask = torch.tensor([[0, 0, 1, 1, 1, 1, 1]])
        padded, values, _ = self.m(x, mask, (mask.cumsum(-1) - 1).clamp(min=0), self.m.empty_past(1))
        self.assertTrue(torch.allclose(padded[:, 2:], alone, atol=1e-5))
        self.assertFalse(torch.isnan(values).any())

    @torch.no_grad()
    def test_merged_lora_equals_adapters(self):
        c = Config(**{**self.c.to_dict(), 'lora_rank': 4})
        m = Decoder(c).eval()
        for name, p in m.named_parameters():
            if name.endswith('.b'):
                p.normal_(0, 0.05)
        x = torch.tensor([[5, 6, 7]])
        before, vb, _ = m(x, torch.ones_like(x), torch.arange(3).unsqueeze(0), m.empty_past(1))
        m.merge_lora()
        after, va, _ = m(x, torch.ones_like(x), torch.arange(3).unsqueeze(0), m.empty_past(1))
        self.assertTrue(torch.allclose(before, after, atol=1e-5))
        self.assertTrue(torch.allclose(vb, va, atol=1e-6))

    def test_exports_the_decoder_io_with_values(self):
        from export_onnx import export, share_tied_embedding
        from quantize import quantize
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, 'model.onnx')
            export(self.m, path)
            self.assertTrue(share_tied_embedding(path))
            g = onnx.load(path).graph
            self.assertEqual([i.name for i in g.input][:3], ['input_ids', 'attention_mask', 'position_ids'])
            self.assertIn('past_key_values.1.value', [i.name for i in g.input])
            self.assertEqual([o.name for o in g.output][:2], ['logits', 'values'])
            self.assertIn('present.1.key', [o.name for o in g.output])
            self.assertGreater(quantize(path, os.path.join(d, 'q.onnx'), min_elements=16), 0)


if __name__ == '__main__':
    unittest.main()
