/** The workspace overview for staff and partners, and the public landing page. */
import type { FastifyInstance } from 'fastify';
import { referenceStatus } from '../../reference/index.ts';
import { listDatasets } from '../../intake/index.ts';
import { listSegmentations } from '../../segmentation/index.ts';
import { EVERYONE } from '../http.ts';
import { datasetAccount } from '../access.ts';

export async function overviewRoutes(app: FastifyInstance): Promise<void> {
  app.get('/', { config: { roles: EVERYONE } }, async (request, reply) => {
    const v = request.viewer;
    // The truth, cached until the workspace changes; each viewer's disclosure is applied below.
    const segmentations = await app.results.get('segmentations', null, () => listSegmentations(app.engine));
    if (v.role === 'public' || v.role === 'agent') {
      return app.page(request, reply, 'home-public.njk', {
        title: 'Who lives here, and who uses council services',
        segmentations,
        agent: v.role === 'agent',
      });
    }
    const status = await app.results.get('reference status', null, () => referenceStatus(app.engine));
    // Row accounts are exact for the dataset's owners and disclosure-controlled for everyone else.
    const datasets = (await app.results.get('datasets', null, () => listDatasets(app.engine))).map((d) =>
      datasetAccount(d, v),
    );
    return app.page(request, reply, 'overview.njk', { title: 'Workspace overview', status, datasets, segmentations });
  });

  app.get('/accessibility', { config: { roles: EVERYONE } }, async (request, reply) =>
    app.page(request, reply, 'accessibility.njk', { title: 'Accessibility statement' }),
  );
}
