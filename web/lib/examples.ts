/**
 * Example problems by topic, written for this tutor (not taken from any benchmark). Each is a
 * promise: the page solves it right, by the method named, and tests/e2e/examples.test.ts checks
 * every one against `answer` on each run. Word problems are the kind the bundled demo model was
 * trained on; everything else is solved exactly by the symbolic solver.
 */
export interface Example {
  topic: string;
  problem: string;
  /** Which of the tutor's two ways answers it with the bundled demo model. */
  method: 'symbolic' | 'model';
  /** The right answer (LaTeX), as the tutor's grader compares it. */
  answer: string;
}

export const EXAMPLES: Example[] = [
  { topic: 'Equations', method: 'symbolic', problem: 'Solve for $x$: $3x - 7 = 2x + 5$.', answer: '12' },
  { topic: 'Equations', method: 'symbolic', problem: 'Find both solutions of $x^2 - 7x + 10 = 0$.', answer: '2, 5' },
  { topic: 'Equations', method: 'symbolic', problem: 'Solve $\\frac{x+3}{x+2}-\\frac{x}{x-2}=\\frac{5x}{x^2-4}$.', answer: '-1' },
  { topic: 'Equations', method: 'symbolic', problem: 'Solve sqrt(x+3) = x - 3', answer: '6' },
  { topic: 'Fractions', method: 'symbolic', problem: 'What is $\\frac{1}{4} + \\frac{2}{5}$?', answer: '\\frac{13}{20}' },
  { topic: 'Calculus', method: 'symbolic', problem: 'What is the derivative of x^3 sin x?', answer: 'x^{3} \\cos{\\left(x \\right)} + 3 x^{2} \\sin{\\left(x \\right)}' },
  { topic: 'Calculus', method: 'symbolic', problem: 'Find $\\int x e^x\\,dx$.', answer: '(x - 1) e^{x} + C' },
  { topic: 'Calculus', method: 'symbolic', problem: 'lim x->2 (x^2-4)/(x-2)', answer: '4' },
  { topic: 'Number theory', method: 'symbolic', problem: 'What is the greatest common divisor of 84 and 126?', answer: '42' },
  { topic: 'Counting', method: 'symbolic', problem: 'Compute $\\binom{10}{3}$.', answer: '120' },
  { topic: 'Word problems', method: 'model', problem: 'Museum tickets cost $14 for adults and $6 for children. A group of 2 adults and 5 children visits. How much do they pay in total?', answer: '58' },
  { topic: 'Word problems', method: 'model', problem: 'Bakery staff pack 250 muffins into boxes that hold 6 each. How many boxes do they need?', answer: '42' },
  { topic: 'Word problems', method: 'model', problem: 'A teacher has 250 stickers and shares them equally among 17 students, giving each student as many as possible. How many stickers are left over?', answer: '12' },
  { topic: 'Word problems', method: 'model', problem: 'Nia wants a bike that costs $240. Nia has $60 saved and saves $25 each week. How many weeks until Nia can buy the bike?', answer: '8' },
  { topic: 'Word problems', method: 'model', problem: 'A shop starts with 500 apples. It sells 45 apples every day for 6 days, and then receives a delivery of 120 apples. How many apples does it have now?', answer: '350' },
  { topic: 'Word problems', method: 'model', problem: 'Ivan drives 150 km in 120 minutes. What is the average speed in km per hour? Round to one decimal place.', answer: '75' },
];

export const TOPICS = [...new Set(EXAMPLES.map((e) => e.topic))];
