import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { readJsonBody } from '../http/inputs.js';
import { Layout } from '../http/components/layout.js';
import { MessagePage } from '../http/components/message.js';
import type { Services } from '../services.js';
import { campaignTime, type ClientConnection } from './service.js';

/** Where a request came from; the service decides whether X-Forwarded-For is trusted. */
function connection(c: Context): ClientConnection {
  let remoteAddress: string | null = null;
  try {
    remoteAddress = getConnInfo(c).remote.address ?? null;
  } catch {
    // app.request() in tests has no socket
  }
  return { remoteAddress, forwardedFor: c.req.header('x-forwarded-for') ?? null };
}

const MESSAGES = {
  unknown: {
    zh: ['链接无效', '没有找到这份问卷。请检查链接是否完整，或联系评议办公室索取新的链接。'],
    en: [
      'Link not found',
      'This questionnaire link is not valid. Check that the whole link was copied, or ask the appraisal office for a new one.',
    ],
  },
  used: {
    zh: ['问卷已提交', '这个链接的问卷已经提交，感谢您的参与！每个链接只能提交一次。'],
    en: [
      'Already submitted',
      'The questionnaire for this link has been submitted. Thank you! Each link can be submitted once.',
    ],
  },
} as const;

/** Links are personal: never cached, never indexed. */
const noStore = async (c: Context, next: () => Promise<void>) => {
  await next();
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
};

/** Mounted at /s: the evaluator's page `/s/:token`. */
export function evaluatorPages(services: Services) {
  const routes = new Hono<AppEnv>();
  routes.use('*', noStore);

  routes.get('/:token', async (c) => {
    const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
    const htmlLang = lang === 'en' ? 'en' : 'zh-CN';
    const found = await services.evaluator.pageState(c.req.param('token'), connection(c));
    if (found.state === 'unknown' || found.state === 'used') {
      const [title, text] = MESSAGES[found.state][lang];
      return c.html(
        <MessagePage title={title} message={text} lang={htmlLang} />,
        found.state === 'unknown' ? 404 : 409,
      );
    }
    const { campaign } = found;
    if (found.state === 'scheduled') {
      const opens = campaignTime(campaign, campaign.opensAt, lang);
      const [title, text] =
        lang === 'en'
          ? ['Not open yet', `${campaign.name} opens on ${opens}. Please open this link again then.`]
          : ['评议尚未开始', `${campaign.name}将于 ${opens} 开始，届时请再次打开此链接。`];
      return c.html(<MessagePage title={title} message={text} lang={htmlLang} />, 403);
    }
    if (found.state === 'closed') {
      const closes = campaignTime(campaign, campaign.closesAt, lang);
      const [title, text] =
        lang === 'en'
          ? ['Closed', `${campaign.name} closed on ${closes}. Thank you for your interest.`]
          : ['评议已经结束', `${campaign.name}已于 ${closes} 截止，感谢您的关注。`];
      return c.html(<MessagePage title={title} message={text} lang={htmlLang} />, 403);
    }
    return c.html(
      <Layout title={campaign.name} lang={htmlLang} scripts={['evaluator.js']} styles={['evaluator.css']}>
        <main class="evaluator" id="evaluator" data-lang={lang}>
          <header class="evaluator-header">
            <h1>{campaign.name}</h1>
            <p class="save-status" id="save-status" role="status" aria-live="polite"></p>
          </header>
          <div id="survey">
            <p class="loading">{lang === 'en' ? 'Loading the questionnaire…' : '正在加载问卷…'}</p>
          </div>
          <noscript>
            <p class="error">
              {lang === 'en' ? 'Please enable JavaScript to answer.' : '请启用浏览器的 JavaScript 后再填写问卷。'}
            </p>
          </noscript>
        </main>
      </Layout>,
    );
  });

  return routes;
}

/** Mounted at /api/s: the evaluator's questionnaire, draft and submission, authenticated by the link's token. */
export function evaluatorApi(services: Services) {
  const routes = new Hono<AppEnv>();
  routes.use('*', noStore);

  // the two-step anonymous submission: the link buys a blind-signed credential; the ballot comes without the link
  routes.post('/ballots/:slug', async (c) => {
    const result = await services.evaluator.castBallot(
      c.req.param('slug'),
      await readJsonBody(c, '请求内容'),
      connection(c),
    );
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.receipt, 201);
  });

  routes.post('/:token/credential', async (c) =>
    c.json(
      await services.evaluator.issueCredential(c.req.param('token'), await readJsonBody(c, '请求内容'), connection(c)),
    ),
  );

  routes.get('/:token', async (c) => c.json(await services.evaluator.load(c.req.param('token'), connection(c))));

  routes.put('/:token/draft', async (c) =>
    c.json(await services.evaluator.saveDraft(c.req.param('token'), await readJsonBody(c, '请求内容'), connection(c))),
  );

  routes.post('/:token/submit', async (c) => {
    const result = await services.evaluator.submit(
      c.req.param('token'),
      await readJsonBody(c, '请求内容'),
      c.req.header('idempotency-key') ?? null,
      connection(c),
    );
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.receipt, 201);
  });

  return routes;
}
