// Fixtures with an op the FHE lowering refuses, and what its error must say (lowering and
// compile tests check the refusal instead of the circuit).

export const NOT_LOWERED: ReadonlyMap<string, RegExp> = new Map([
  ['torch_avgpool_ceil', /AveragePool.*ceil_mode = 1 with windows past the padding \(\d+ rows, \d+ columns\) is not lowered to FHE yet/],
]);
