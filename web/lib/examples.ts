/** Example problems by topic, written for this tutor (not taken from any benchmark). */
export interface Example {
  topic: string;
  problem: string;
}

export const EXAMPLES: Example[] = [
  { topic: 'Arithmetic', problem: 'A bakery sells muffins in boxes of 6. Mara buys 7 boxes and gives away 15 muffins. How many muffins does she have left?' },
  { topic: 'Arithmetic', problem: 'A hiking trail is 12.6 km long. Theo has walked 4.75 km. How many kilometres are left?' },
  { topic: 'Percentages', problem: 'A jacket costs $80. It is on sale for 35% off, and then a 10% tax is added to the sale price. What is the final price in dollars?' },
  { topic: 'Percentages', problem: 'A town had 2,400 residents last year and 2,700 this year. By what percent did the population grow?' },
  { topic: 'Fractions', problem: 'Ines ate $\\frac{1}{4}$ of a pizza and her brother ate $\\frac{2}{5}$ of it. What fraction of the pizza is left?' },
  { topic: 'Ratios', problem: 'Paint is mixed from blue and white in the ratio 3 : 5. How many litres of blue paint are in 24 litres of the mix?' },
  { topic: 'Rates', problem: 'A printer prints 18 pages per minute. How many minutes does it need for 405 pages, rounded up to a whole minute?' },
  { topic: 'Remainders', problem: 'A teacher shares 250 stickers equally among 17 students and keeps the rest. How many stickers does the teacher keep?' },
  { topic: 'Algebra', problem: 'Solve for $x$: $3x - 7 = 2x + 5$.' },
  { topic: 'Algebra', problem: 'Find both solutions of $x^2 - 7x + 10 = 0$.' },
  { topic: 'Geometry', problem: 'A rectangle has a perimeter of 46 cm and a length of 15 cm. What is its area in square centimetres?' },
  { topic: 'Geometry', problem: 'A circle has a radius of 5. What is its area? Give the exact answer in terms of $\\pi$.' },
  { topic: 'Number theory', problem: 'What is the greatest common divisor of 84 and 126?' },
  { topic: 'Counting', problem: 'How many different 3-letter codes can be made from the letters A, B, C, D, E if no letter repeats?' },
  { topic: 'Probability', problem: 'Two fair dice are rolled. What is the probability that the sum is 8? Give a fraction.' },
];

export const TOPICS = [...new Set(EXAMPLES.map((e) => e.topic))];
