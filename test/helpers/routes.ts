// The routes an app has, read from its own route tree: tests that must cover every POST route take the list from here,
// so a route added later is covered without anyone remembering to add it.
import type { FastifyInstance } from 'fastify';

/** Every POST route, as registered (path parameters left as `:name`). */
export function postRoutes(app: FastifyInstance): string[] {
  const tree = app.printRoutes({ method: 'POST', commonPrefix: false });
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+) \(([^)]*)\)/.exec(line);
    if (!match) continue;
    const depth = [...match[1]].length / 4;
    stack.length = depth;
    stack.push(match[2]);
    if (match[3].split(', ').includes('POST')) routes.push(stack.join(''));
  }
  return routes;
}
