// An HTTP front for FheModelServer (Node's http, no framework: five routes do not need one).
//
//   GET    /health              {"status": "ok", running, queued, keySets}
//   GET    /info                artifact id, parameter set, fingerprint, circuit inputs/outputs
//   GET    /client-specs        the artifact's client specs file, when the directory holds it
//   POST   /keys                body: evaluation keys (client.getSerializedEvaluationKeys()) -> 201 {"keyId"}
//   DELETE /keys/<id>           frees them -> 204
//   POST   /keys/<id>/run       body: encrypted inputs -> 200 encrypted outputs (application/octet-stream)
//
// Errors are JSON, {"error": {"code", "message"}}, with a status that says whose fault it is.
// Bodies are capped (413 as soon as the declared or received length passes the limit); key
// loads and runs go through one queue (by default one at a time: each uses every native
// thread), 503 when it is full, checked before a body is read, so memory for bodies stays
// under (concurrency + maxQueued) x the limit; close() stops accepting, finishes what is
// running and queued, then frees every key.

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { TfheSerializationError } from '../fhe/serialization';
import type { EvaluationKeys } from '../fhe/tfhe';
import { DeployFormatError } from './errors';
import { DEPLOY_FILES } from './files';
import type { FheModelServer } from './server';

export interface HttpServerOptions {
  /** Evaluation key sets held at once (default 4; each is the size of the expanded keys). */
  readonly maxKeySets?: number;
  /** Jobs (key loads, runs) running at once (default 1). */
  readonly concurrency?: number;
  /** Requests waiting beyond those, bodies included (default 32); more get 503. */
  readonly maxQueued?: number;
  /** Called with one line per unexpected error (default: none). Never given request data. */
  readonly log?: (line: string) => void;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Jobs run `concurrency` at a time, in arrival order. Requests are admitted before their body
 * is read, at most concurrency + maxQueued at once, so buffered bodies stay bounded too.
 */
class JobQueue {
  running = 0;
  admitted = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(private readonly concurrency: number, private readonly maxQueued: number) {}

  get queued(): number {
    return this.#waiting.length;
  }

  /** Runs `work` (which reads the body, then calls run) as one admitted request, or refuses it with 503. */
  async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.admitted >= this.concurrency + this.maxQueued) {
      throw new HttpError(503, 'ERR_BUSY', `${this.admitted} requests running or queued; retry later`);
    }
    this.admitted++;
    try {
      return await work();
    } finally {
      this.admitted--;
    }
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      if (next === undefined) this.running--;
      else next(); // the slot passes to the next job
    }
  }
}

export interface InferenceServer {
  readonly server: http.Server;
  /** Stops accepting, lets running and queued jobs finish, frees the keys. */
  close(): Promise<void>;
}

export function createInferenceServer(model: FheModelServer, options: HttpServerOptions = {}): InferenceServer {
  const { specs, limits } = model;
  const maxKeySets = options.maxKeySets ?? 4;
  const queue = new JobQueue(options.concurrency ?? 1, options.maxQueued ?? 32);
  // Runs hold a key set while they use it: DELETE frees it once the last one is done.
  const keySets = new Map<string, { keys: EvaluationKeys; users: number; deleted: boolean }>();
  const release = (entry: { keys: EvaluationKeys; users: number; deleted: boolean }) => {
    if (--entry.users === 0 && entry.deleted) entry.keys.free();
  };
  const clientSpecsFile = path.join(model.dir, DEPLOY_FILES.client);
  let closing = false;
  const info = {
    artifactId: specs.artifactId,
    parameterSet: specs.parameters.name,
    inputs: specs.program.inputs.map(({ name, shape, range }) => ({ name, shape, range })),
    outputs: specs.program.outputs.map(({ name, shape, range }) => ({ name, shape, range })),
    limits,
  };

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const route = url.pathname.split('/').filter((part) => part !== '');
    const method = request.method ?? 'GET';
    if (closing) throw new HttpError(503, 'ERR_SHUTTING_DOWN', 'the server is shutting down');
    if (route.length === 1 && route[0] === 'health' && method === 'GET') {
      return json(response, 200, { status: 'ok', running: queue.running, queued: queue.queued, keySets: keySets.size });
    }
    if (route.length === 1 && route[0] === 'info' && method === 'GET') return json(response, 200, info);
    if (route.length === 1 && route[0] === 'client-specs' && method === 'GET') {
      if (!existsSync(clientSpecsFile)) throw new HttpError(404, 'ERR_NOT_FOUND', 'this server holds no client specs');
      return binary(response, 200, readFileSync(clientSpecsFile));
    }
    if (route.length === 1 && route[0] === 'keys' && method === 'POST') {
      if (keySets.size >= maxKeySets) throw new HttpError(503, 'ERR_KEY_STORE_FULL', `${maxKeySets} key sets registered; DELETE /keys/<id> one first`);
      const keys = await queue.admit(async () => {
        const body = await readBody(request, limits.maxKeyBytes);
        return queue.run(() => model.loadEvaluationKeys(body));
      });
      if (keySets.size >= maxKeySets || closing) {
        keys.free();
        throw new HttpError(503, 'ERR_KEY_STORE_FULL', `${maxKeySets} key sets registered; DELETE /keys/<id> one first`);
      }
      const keyId = randomBytes(16).toString('hex');
      keySets.set(keyId, { keys, users: 0, deleted: false });
      return json(response, 201, { keyId });
    }
    if (route.length >= 2 && route[0] === 'keys' && route.length <= 3) {
      const entry = keySets.get(route[1]);
      if (route.length === 2 && method === 'DELETE') {
        if (entry === undefined) throw new HttpError(404, 'ERR_UNKNOWN_KEY', 'no key set with this id');
        keySets.delete(route[1]);
        entry.deleted = true;
        entry.users++;
        release(entry);
        response.writeHead(204).end();
        return;
      }
      if (route.length === 3 && route[2] === 'run' && method === 'POST') {
        if (entry === undefined) throw new HttpError(404, 'ERR_UNKNOWN_KEY', 'no key set with this id; POST /keys first');
        entry.users++;
        try {
          const answer = await queue.admit(async () => {
            const body = await readBody(request, limits.maxValuesBytes);
            return queue.run(() => model.run(body, entry.keys));
          });
          return binary(response, 200, answer);
        } finally {
          release(entry);
        }
      }
    }
    throw new HttpError(404, 'ERR_NOT_FOUND', `no route ${method} ${url.pathname}`);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const { status, code, message } = describeError(error);
      // Key ids are bearer tokens: they stay out of logs.
      const route = (request.url ?? '').replace(/\/keys\/[^/?]+/, '/keys/<id>');
      if (status === 500) options.log?.(`internal error on ${request.method} ${route}: ${(error as Error)?.message ?? String(error)}`);
      if (status === 413) response.setHeader('Connection', 'close'); // the rest of the body is not read
      if (!response.headersSent) json(response, status, { error: { code, message } });
      else response.destroy();
      if (status === 413) response.once('finish', () => request.destroy());
    });
  });

  return {
    server,
    close: async () => {
      closing = true;
      // Keep-alive connections turn idle as their last response ends: close them as they do.
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      clearInterval(idle);
      for (const entry of keySets.values()) entry.keys.free();
      keySets.clear();
    },
  };
}

function describeError(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  // Bad bytes from the client: the format's own code and message (they name no key material).
  if (error instanceof DeployFormatError || error instanceof TfheSerializationError) {
    const status = error.code.endsWith('SIZE_LIMIT') ? 413 : 400;
    return { status, code: error.code, message: error.message };
  }
  return { status: 500, code: 'ERR_INTERNAL', message: 'internal error' };
}

/** The whole body, refused with 413 past `limit` bytes (declared or received). */
async function readBody(request: http.IncomingMessage, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers['content-length']);
  if (declared > limit) throw new HttpError(413, 'ERR_TOO_LARGE', `the body declares ${declared} bytes, the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) throw new HttpError(413, 'ERR_TOO_LARGE', `the body passes the limit of ${limit} bytes`);
    chunks.push(chunk);
  }
  if (received === 0) throw new HttpError(400, 'ERR_EMPTY_BODY', 'the request has no body');
  const body = Buffer.concat(chunks, received);
  return new Uint8Array(body.buffer, body.byteOffset, body.length);
}

function json(response: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

function binary(response: http.ServerResponse, status: number, bytes: Uint8Array): void {
  response.writeHead(status, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length }).end(bytes);
}
