// Orders nodes so that each comes after the producers of its inputs. Files are usually sorted
// already, but the spec does not let us rely on it. Kahn's algorithm, keeping file order among
// nodes that are ready at the same time so the result is deterministic.
import type { OnnxNode } from './graph';
import { OnnxError, describeNode } from './errors';

export function sortTopologically(nodes: readonly OnnxNode[]): OnnxNode[] {
  const producerIndex = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const output of node.outputs) if (output !== '') producerIndex.set(output, index);
  });
  const waitingOn = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((node, index) => {
    for (const input of new Set(node.inputs)) {
      const producer = producerIndex.get(input);
      if (producer === undefined) continue; // graph input, initializer, or omitted
      waitingOn[index]++;
      consumers[producer].push(index);
    }
  });

  // A min-heap would be faster; models have at most a few thousand nodes, so a sorted ready list is enough.
  const ready: number[] = [];
  waitingOn.forEach((count, index) => count === 0 && ready.push(index));
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    const index = ready.shift()!;
    order.push(nodes[index]);
    let added = false;
    for (const consumer of consumers[index]) {
      if (--waitingOn[consumer] === 0) {
        ready.push(consumer);
        added = true;
      }
    }
    if (added) ready.sort((a, b) => a - b);
  }

  if (order.length < nodes.length) {
    const stuck = onCycles(nodes, waitingOn, consumers);
    const names = stuck.slice(0, 5).map(describeNode).join(', ');
    throw new OnnxError(`the graph has a cycle through ${names}${stuck.length > 5 ? ', ...' : ''}`, 'invalid-graph');
  }
  return order;
}

/**
 * The unsorted nodes, less those that only wait on a cycle without being on one: peel off,
 * repeatedly, the nodes that no other unsorted node reads from.
 */
function onCycles(nodes: readonly OnnxNode[], waitingOn: readonly number[], consumers: readonly number[][]): OnnxNode[] {
  const remaining = new Set(nodes.map((_, index) => index).filter((index) => waitingOn[index] > 0));
  let changed = true;
  while (changed) {
    changed = false;
    for (const index of remaining) {
      if (!consumers[index].some((consumer) => remaining.has(consumer))) {
        remaining.delete(index);
        changed = true;
      }
    }
  }
  return [...remaining].sort((a, b) => a - b).map((index) => nodes[index]);
}
