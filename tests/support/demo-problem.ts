/**
 * The word problem the end-to-end tests solve with the bundled demo model, and its answer.
 * Package v0.3.0 answers it right in every sample, on the fp32 and the int8 graph; when a new
 * demo package does not, this is the one place to change.
 */
export const DEMO_PROBLEM = 'Museum tickets cost $12 for adults and $5 for children. A group of 3 adults and 4 children visits. How much do they pay in total?';
export const DEMO_ANSWER = '56';
