// Independent reference implementations of the log aggregations, to check the server against.
export function reference(method: string, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  const sum = values.reduce((a, b) => a + b, 0);
  const mean = sum / n;
  const pct = (p: number) => {
    const rank = (p / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.ceil(rank);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
  };
  const perc = /^percentile\((\d+)\)$/.exec(method);
  if (perc) return pct(Number(perc[1]));
  switch (method) {
    case 'avg':
      return mean;
    case 'count':
      return n;
    case 'first':
      return values[0];
    case 'last':
      return values[n - 1];
    case 'max':
      return sorted[n - 1];
    case 'min':
      return sorted[0];
    case 'median':
      return pct(50);
    case 'spread':
      return sorted[n - 1] - sorted[0];
    case 'stddev':
      return n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
    case 'sum':
      return sum;
    default:
      throw new Error(`no reference for ${method}`);
  }
}
