"""Tests of the rule modules, beside them: run in Pyodide in Node by tests/unit/symbolic-python.test.ts (and with
CPython: cd workers/symbolic/python && /usr/bin/python3 -m unittest discover -s tests)."""
import unittest

import tutor_symbolic
from tutor_symbolic import rules, reader
from tutor_symbolic.steps import DECLINE_KINDS


def solve(text):
    return tutor_symbolic.solve({'text': text, 'math': []})


def answer(text):
    r = solve(text)
    if r['status'] != 'solved':
        raise AssertionError(f'{text}: {r}')
    return r['answer']


class Registry(unittest.TestCase):
    def test_every_wording_has_one_handler(self):
        import tutor_symbolic.dispatch  # noqa: F401  (loads the rule modules)
        for intent, _ in rules.PATTERNS:
            self.assertIn(intent, rules.HANDLERS)
        for intent, _ in reader.CORE_PATTERNS:
            self.assertIn(intent, rules.HANDLERS)

    def test_declines_carry_a_kind(self):
        for text in ('A jacket costs $80. It is on sale for 35% off. What does it cost now?', 'Solve sin(x) = 1/2',
                     'What is 12 (base 40) in base 10?'):
            r = solve(text)
            self.assertEqual(r['status'], 'declined', text)
            self.assertIn(r['kind'], DECLINE_KINDS)
        self.assertEqual(solve('A jacket costs $80. What does it cost now?')['kind'], 'not-recognised')
        self.assertEqual(solve('Solve sin(x) = 1/2')['kind'], 'recognised-not-finished')


class WrongAnswersOfIssue21(unittest.TestCase):
    def test_i_and_e_as_variables(self):
        self.assertEqual(answer('What is the derivative of 155*i**2 + 70?'), '310 i')
        self.assertEqual(answer('Differentiate 155*i**2 + 70 with respect to i.'), '310 i')
        self.assertEqual(answer('Solve 3*e + 5 = 11 for e.'), '2')
        self.assertEqual(answer('Solve 2*i - 4 = 0.'), '2')
        r = solve('What is the derivative of 155*i**2 + 70?')
        self.assertEqual(r['steps'][0]['rule'], 'read-letter')
        self.assertEqual(answer('Compute (1+i)^2'), '2 i')  # nothing says i is a variable: the imaginary unit

    def test_system_answers_the_variable_asked(self):
        self.assertEqual(answer('Solve 4*l - 20 = 0, 0*l - 35 = 5*z - 5*l for z.'), '-2')
        self.assertEqual(answer('Solve x + y = 3, x - y = 1'), '(2, 1)')

    def test_simplest_form_is_the_last_step(self):
        r = solve('Simplify (-4 + sqrt(192)*-2)**2.')
        self.assertEqual(r['answer'], '784 + 128 \\sqrt{3}')
        self.assertEqual(r['answer'], r['steps'][-1]['latex'])

    def test_decimals_stay_decimals_and_fractions_fractions(self):
        self.assertEqual(answer('Work out -50218.3 - 5.'), '-50223.3')
        self.assertEqual(answer('Sum 0.3 and -12.'), '-11.7')
        self.assertEqual(answer('1/2 + 3/4'), '\\frac{5}{4}')

    def test_factorial(self):
        self.assertEqual(answer('What is 6!?'), '720')


class Wordings(unittest.TestCase):
    CASES = [
        ('Calculate the remainder when 2287 is divided by 27.', '19'),
        ('What is the highest common divisor of 84 and 126?', '42'),
        ('Calculate the smallest common multiple of 12 and 30.', '60'),
        ('What is the common denominator of -23/6 and 7/8?', '24'),
        ('Find the second derivative of 3x^4 - x wrt x.', '36 x^{2}'),
        ('What is the third derivative of 2*x**5 - x?', '120 x^{2}'),
        ('Differentiate 3*q**2*w + w with respect to q.', '6 q w'),
        ('Let f(o) = -o**2 + 3*o - 1. What is f(-10)?', '-131'),
        ('Collect the terms in -5*t + 3*t - t.', '- 3 t'),
        ('List the prime factors of 3180.', '2, 3, 5, 53'),
        ('Is 5471 a prime number?', '\\text{yes}'),
        ('Is 12 composite?', '\\text{yes}'),
        ('Sort -2, 5, 0.3 in decreasing order.', '5, 0.3, -2'),
        ('Which is bigger: -2/7 or -0.3?', '- \\frac{2}{7}'),
        ('What is 2a1 (base 13) in base 10?', '469'),
        ('Convert 110101 (base 2) to base 8.', '65'),
        ('Suppose -3*u**2 + 12 = 0. Calculate u.', '-2, 2'),
        ('Find a such that a**2 - 5*a + 6 = 0.', '2, 3'),
        ('Determine w so that 3*w + 2 = 8.', '2'),
        ('What is d in -4*d**2 - 520*d + 524 = 0?', '-131, 1'),
        ('Add together 4 and -0.5.', '3.5'),
        ('What is 7 less than -2?', '-9'),
        ('What is the difference between 3.2 and -1?', '4.2'),
        ('Put together 12 and 30.', '42'),
        ('Two letters are picked without replacement from {a: 3, b: 2}. What is the probability of sequence ab?', '\\frac{3}{10}'),
        ('solve for y: 3x + 2y = 12', '6 - \\frac{3 x}{2}'),
        ('Find the area of a circle with radius 3', '9 \\pi'),
        ('Find the slope of the line through (1,2) and (3,8)', '3'),
        ('Find the distance between (1, 2) and (4, 6).', '5'),
        ('Find the midpoint of (2, 4) and (6, -2).', '(4, 1)'),
        ('Find the equation of the line through (1, 2) and (3, 8).', 'y = 3 x - 1'),
        ('Find the volume of a cylinder with radius 2 and height 5.', '20 \\pi'),
        ('Find the hypotenuse of a right triangle with legs 3 and 4.', '5'),
        ('What is the percent increase from 40 to 50?', '25\\%'),
        ('Find the simple interest on $500 at 4% per year for 3 years.', '60'),
        ('Solve 2 sin x = 1 for 0 ≤ x < 2π', '\\frac{\\pi}{6}, \\frac{5 \\pi}{6}'),
        ('What is P(7, 3)?', '210'),
        ('Write 0.375 as a fraction in lowest terms', '\\frac{3}{8}'),
        ('If 10^x - 10 = 9990, what is x equal to?', '4'),
        ('For what value of x is 2^3*3^x=72?', '2'),
        ('Add 313.9 to 12.6.', '326.5'),
        ('What integer x satisfies 1/4 < x/7 < 1/3?', '2'),
        ('How many integers are in the solution set of |x-2| <= 5.6?', '11'),
    ]

    def test_wordings(self):
        for text, expected in self.CASES:
            with self.subTest(text=text):
                self.assertEqual(answer(text), expected)

    def test_steps_name_the_formula(self):
        rules_used = [s['rule'] for s in solve('Find the area of a circle with radius 3')['steps']]
        self.assertIn('circle-area', rules_used)
        self.assertIn('slope-formula', [s['rule'] for s in solve('Find the slope of the line through (1,2) and (3,8)')['steps']])
        self.assertIn('simple-interest', [s['rule'] for s in solve('Find the simple interest on $500 at 4% per year for 3 years.')['steps']])


class BadInput(unittest.TestCase):
    CASES = [
        ('Solve 2*e**x = e for e.', 'both as the variable and as Euler'),
        ('Solve x + 1 = 3 for z.', 'not in the equation'),
        ('What is 12 (base 40) in base 10?', 'Base 40'),
        ('What is 19 (base 8) in base 10?', 'digit 9 does not exist in base 8'),
        ('Three letters picked without replacement from {a: 1, b: 1}. What is prob of sequence aab?', 'cannot be picked'),
        ('Find the area of a circle with radius -3.', 'positive length'),
        ('Find the area of a rectangle with length -2 and width 3.', 'positive length'),
    ]

    def test_one_sentence_each(self):
        for text, words in self.CASES:
            with self.subTest(text=text):
                r = solve(text)
                self.assertEqual(r['status'], 'declined', r)
                self.assertEqual(r['kind'], 'bad-input', r)
                self.assertIn(words, r['reason'])
                self.assertNotIn('Traceback', r['reason'])


if __name__ == '__main__':
    unittest.main()
