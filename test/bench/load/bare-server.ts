// The bound for the page benchmarks: Fastify with one route answering a fixed string, in its own process as the
// portal is, so the ratio of the two is what the portal adds on top of the framework. Prints its port when listening.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => 'ok');
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
