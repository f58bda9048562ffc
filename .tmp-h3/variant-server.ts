import Fastify from 'fastify';
import helmet from 'helmet';
import cors from '@fastify/cors';
import cookie from '@fastify/cookie';
import pino from 'pino';
const v = process.argv[2]!;
const app = Fastify(v.includes('log') ? { loggerInstance: pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false })), disableRequestLogging: true } : {});
if (v.includes('helmet')) { const h = helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } } }); app.addHook('onRequest', (req, reply, done) => h(req.raw, reply.raw, () => done())); }
if (v.includes('cors')) await app.register(cors, { origin: ['https://x.example'] });
if (v.includes('cookie')) await app.register(cookie);
if (v.includes('log')) app.addHook('onResponse', async (req, reply) => { req.log.info({ m: req.method, s: reply.statusCode }, 'request'); });
app.get('/x', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 });
const a = app.server.address() as { port: number };
process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${a.port}/x` }) + '\n');
process.once('SIGTERM', () => process.exit(0));
