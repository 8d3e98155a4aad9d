// Image endpoints (/images/..., /auth): moby's api/server/router/image over the image service.

import { goString, goStruct } from '../go-json';
import type { ImageService } from '../../images/service';
import type { Router } from '../router';
import { invalidParameter, systemError } from '../../errors';
import { jsonResponse, queryBool, queryFilters, readJson, type ApiResponse } from '../types';

const encoder = new TextEncoder();

function streamResponse(body: AsyncIterable<Uint8Array>): ApiResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body };
}

async function* lines(messages: readonly object[]): AsyncIterable<Uint8Array> {
  for (const message of messages) yield encoder.encode(`${JSON.stringify(message)}\n`);
}

export function registerImageRoutes(router: Router, daemon: { images: ImageService }): void {
  const service = daemon.images;

  router.add('POST', '/images/create', async (request) => {
    const query = request.query;
    const fromSrc = query.get('fromSrc');
    if (fromSrc !== null) {
      if (fromSrc !== '-') throw systemError(`Get "${fromSrc}": dial tcp: lookup ${fromSrc.replace(/^\w+:\/\//, '').split('/')[0]}: no such host`);
      const id = await service.import(request.bodyStream(), {
        repo: query.get('repo') ?? undefined,
        tag: query.get('tag') ?? undefined,
        changes: query.getAll('changes'),
        message: query.get('message') ?? undefined,
      });
      return streamResponse(lines([{ status: id }]));
    }
    const fromImage = query.get('fromImage');
    if (!fromImage) throw invalidParameter('fromImage or fromSrc is required');
    // A name without a tag (docker pull -a) pulls every tag of the repository, as moby does.
    const tag = query.get('tag') ?? '';
    return streamResponse(await service.pull(fromImage, tag, { allTags: tag === '' }));
  });

  router.add('GET', '/images/json', async (request) =>
    jsonResponse(200, await service.list({ all: queryBool(request.query, 'all'), filters: queryFilters(request.query) })),
  );

  router.add('GET', '/images/search', async (request) => {
    const term = request.query.get('term') ?? '';
    const limitText = request.query.get('limit');
    const limit = limitText === null || limitText === '' ? 25 : Number(limitText);
    return jsonResponse(200, await service.search(term, limit, queryFilters(request.query)));
  });

  router.add('GET', '/images/get', async (request) => {
    const names = request.query.getAll('names');
    return { status: 200, headers: { 'content-type': 'application/x-tar' }, body: await service.save(names) };
  });

  router.add('POST', '/images/load', async (request) => {
    const messages = await service.load(request.bodyStream());
    return streamResponse(lines(messages.map((stream) => ({ stream }))));
  });

  router.add('POST', '/images/prune', async (request) => jsonResponse(200, await service.prune(queryFilters(request.query))));

  router.add('GET', '/images/{name*}/json', async (_request, params) => jsonResponse(200, await service.inspect(params.name)));

  router.add('GET', '/images/{name*}/history', async (_request, params) => jsonResponse(200, await service.history(params.name)));

  router.add('GET', '/images/{name*}/get', async (_request, params) => ({
    status: 200,
    headers: { 'content-type': 'application/x-tar' },
    body: await service.save([params.name]),
  }));

  router.add('POST', '/images/{name*}/tag', async (request, params) => {
    const repo = request.query.get('repo') ?? '';
    if (repo === '') throw invalidParameter('repository name must have at least one component');
    await service.tag(params.name, repo, request.query.get('tag') ?? '');
    return { status: 201, headers: {} };
  });

  router.add('POST', '/images/{name*}/push', async (request, params) =>
    streamResponse(await service.push(params.name, request.query.get('tag') ?? '', request.headers['x-registry-auth'])),
  );

  router.add('DELETE', '/images/{name*}', async (request, params) =>
    jsonResponse(200, await service.remove(params.name, { force: queryBool(request.query, 'force'), noprune: queryBool(request.query, 'noprune') })),
  );

  router.add('POST', '/auth', async (request) => {
    const body = await readJson<{ username?: string; password?: string; serveraddress?: string }>(request, goStruct('registry.AuthConfig', { username: goString, password: goString, serveraddress: goString }));
    return jsonResponse(200, await service.login(body));
  });
}
