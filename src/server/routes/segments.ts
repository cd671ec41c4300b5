/**
 * The segment guide: every classification and segmentation, the pen portraits of a tier (who they
 * are, what sets them apart, where they live, what they use), portraits as HTML, PDF or JSON, and
 * editing a portrait as a new version for staff. The facts in a portrait were disclosure-controlled
 * when they were computed (take-up of a service by segment is a suppressed aggregate). The public
 * does not see the channel facts (how each segment contacts the council) or who edited a portrait.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError, ObservatoryError } from '../../core/index.ts';
import {
  portraitsOrGenerate,
  editPortrait,
  portraitHistory,
  GENERATED_BY,
  isPlaceholderName,
  proposeSegmentNames,
  type Portrait,
} from '../../segmentation/index.ts';
import { portraitsToHtml, portraitsToPdf } from '../../outputs/index.ts';
import { audit, type Viewer } from '../users.ts';
import { EVERYONE, STAFF, HttpProblem } from '../http.ts';
import { classificationChoices, safeFilename, sendDownload, type ClassificationChoice } from './profile.ts';
import { one } from '../query.ts';

const isStaff = (v: Viewer) => v.role === 'admin' || v.role === 'analyst';

/** What a viewer may see of a portrait: the public gets no channel facts and no editor's name. */
export function portraitForViewer(p: Portrait, v: Viewer): Portrait {
  if (v.role !== 'public') return p;
  return {
    ...p,
    facts: { ...p.facts, channels: [] },
    editedBy: p.editedBy === GENERATED_BY ? GENERATED_BY : 'council',
  };
}

async function findClassification(app: FastifyInstance, name: string): Promise<ClassificationChoice> {
  const all = await classificationChoices(app, { deprivation: false });
  const cls = all.find((c) => c.name === name);
  if (!cls)
    throw new NotFoundError(
      `There is no segmentation or classification called "${name}".`,
      all.length
        ? `See the segment guide for the ones there are: ${all.map((c) => c.name).join(', ')}.`
        : 'None has been imported or built yet.',
    );
  return cls;
}

function tierOf(cls: ClassificationChoice, q: Record<string, unknown>): string {
  const asked = one(q.tier);
  if (!asked) return cls.tiers[0];
  const t = cls.tiers.find((x) => x.toLowerCase() === asked.toLowerCase());
  if (!t) throw new NotFoundError(`${cls.name} has no tier "${asked}".`, `Tiers: ${cls.tiers.join(', ')}.`);
  return t;
}

export async function segmentRoutes(app: FastifyInstance): Promise<void> {
  app.get('/segments', { config: { roles: EVERYONE } }, async (request, reply) => {
    const classes = await classificationChoices(app, { deprivation: false });
    const counts = await app.services.catalogue.segmentCounts();
    const list = classes.map((c) => ({
      ...c,
      tiers: c.tiers.map((t) => ({
        name: t,
        k: counts.find((x) => x.classification === c.name && x.tier === t)?.n ?? 0,
      })),
    }));
    return app.page(request, reply, 'segments.njk', { title: 'Segment guide', list });
  });

  app.get('/segments/:name', { config: { roles: EVERYONE } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const q = request.query as Record<string, unknown>;
    const cls = await findClassification(app, name);
    const tier = tierOf(cls, q);
    const portraits = (
      await app.results.get('portraits', [cls.name, tier], () => portraitsOrGenerate(app.engine, cls.name, tier))
    ).map((p) => portraitForViewer(p, request.viewer));
    return app.page(request, reply, 'segment.njk', {
      title: `${cls.title ?? cls.name}: ${tier}s`,
      cls,
      tier,
      portraits,
      staff: isStaff(request.viewer),
      isPublic: request.viewer.role === 'public',
      tierItems: cls.tiers.map((t) => ({ value: t, text: t, selected: t === tier })),
      qs: new URLSearchParams({ tier }).toString(),
    });
  });

  for (const format of ['html', 'pdf', 'json'] as const) {
    app.get(`/segments/:name/portraits.${format}`, { config: { roles: EVERYONE } }, async (request, reply) => {
      const { name } = request.params as { name: string };
      const cls = await findClassification(app, name);
      const tier = tierOf(cls, request.query as Record<string, unknown>);
      const portraits = (
        await app.results.get('portraits', [cls.name, tier], () => portraitsOrGenerate(app.engine, cls.name, tier))
      ).map((p) => portraitForViewer(p, request.viewer));
      const title = `Pen portraits: ${cls.title ?? cls.name}, ${tier}s`;
      const body =
        format === 'html'
          ? portraitsToHtml(portraits, { title })
          : format === 'pdf'
            ? await portraitsToPdf(portraits, { title })
            : JSON.stringify(portraits, null, 2) + '\n';
      if (request.viewer.role !== 'public')
        await audit(app.engine, request.viewer, `export ${format}`, `pen portraits ${cls.name} ${tier}`, request.ip);
      return sendDownload(reply, safeFilename(['portraits', cls.name, tier], format), format, body);
    });
  }

  const editPage = async (name: string, code: string, q: Record<string, unknown>) => {
    const cls = await findClassification(app, name);
    const tier = tierOf(cls, q);
    const all = await app.results.get('portraits', [cls.name, tier], () =>
      portraitsOrGenerate(app.engine, cls.name, tier),
    );
    const portrait = all.find((p) => p.code.toLowerCase() === code.toLowerCase());
    if (!portrait)
      throw new NotFoundError(`${cls.name} has no ${tier} "${code}".`, `Codes: ${all.map((p) => p.code).join(', ')}.`);
    const history = (await portraitHistory(app.engine, cls.name, portrait.code, tier)).reverse();
    // A name and a one-line description proposed from the segment's distinctive variables (no two alike in the tier).
    const proposed = proposeSegmentNames(all.map((p) => ({ code: p.code, facts: p.facts }))).get(portrait.code)!;
    return {
      cls,
      tier,
      portrait,
      history,
      proposed,
      placeholder: isPlaceholderName(portrait.name, tier, portrait.code),
    };
  };

  app.get('/segments/:name/:code/edit', { config: { roles: STAFF } }, async (request, reply) => {
    const { name, code } = request.params as { name: string; code: string };
    const d = await editPage(name, code, request.query as Record<string, unknown>);
    return app.page(request, reply, 'segment-edit.njk', {
      title: `Edit ${d.portrait.code} ${d.portrait.name}`,
      ...d,
      // A segment still named as the build named it ("Group 1") opens with the proposed name, and a
      // portrait nobody has edited with the proposed description first: the analyst accepts or changes them.
      form: {
        name: d.placeholder ? d.proposed.name : d.portrait.name,
        summary:
          d.placeholder &&
          d.portrait.editedBy === GENERATED_BY &&
          !d.portrait.summary.startsWith(d.proposed.description)
            ? `${d.proposed.description} ${d.portrait.summary}`
            : d.portrait.summary,
        keyFeatures: d.portrait.keyFeatures.join('\n'),
        note: '',
      },
    });
  });

  app.post(
    '/segments/:name/:code/edit',
    { config: { roles: STAFF, changes: ['segmentations'] } },
    async (request, reply) => {
      const { name, code } = request.params as { name: string; code: string };
      const b = (request.body ?? {}) as Record<string, unknown>;
      const d = await editPage(name, code, { tier: b.tier ?? (request.query as Record<string, unknown>).tier });
      const form = {
        name: String(b.name ?? ''),
        summary: String(b.summary ?? ''),
        keyFeatures: String(b.keyFeatures ?? ''),
        note: String(b.note ?? ''),
      };
      const errors: { text: string; href: string }[] = [];
      if (!form.name.trim()) errors.push({ text: 'Enter a name for the segment', href: '#name' });
      if (form.name.length > 120) errors.push({ text: 'The name must be 120 characters or fewer', href: '#name' });
      if (!form.summary.trim()) errors.push({ text: 'Enter a summary', href: '#summary' });
      if (form.summary.length > 5000)
        errors.push({ text: 'The summary must be 5,000 characters or fewer', href: '#summary' });
      const keyFeatures = form.keyFeatures
        .split(/\r?\n/)
        .map((x) => x.trim())
        .filter(Boolean);
      if (keyFeatures.length > 30) errors.push({ text: 'Give 30 key features or fewer', href: '#keyFeatures' });
      if (!errors.length) {
        try {
          const saved = await editPortrait(
            app.engine,
            d.cls.name,
            d.portrait.code,
            { name: form.name.trim(), summary: form.summary.trim(), keyFeatures },
            { tier: d.tier, editedBy: request.viewer.username ?? 'unknown', note: form.note.trim() || undefined },
          );
          await audit(
            app.engine,
            request.viewer,
            'portrait edited',
            `${d.cls.name} ${d.tier} ${saved.code} version ${saved.revision}`,
            request.ip,
          );
          return reply.redirect(
            `/segments/${encodeURIComponent(d.cls.name)}?${new URLSearchParams({ tier: d.tier })}#segment-${encodeURIComponent(saved.code)}`,
            303,
          );
        } catch (e) {
          if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
          errors.push({ text: e.message, href: '#name' });
        }
      }
      return app.page(
        request,
        reply,
        'segment-edit.njk',
        { title: `Edit ${d.portrait.code} ${d.portrait.name}`, errorTitle: true, ...d, form, errors },
        400,
      );
    },
  );
}
