import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { readJsonBody } from '../http/inputs.js';
import { Layout } from '../http/components/layout.js';
import { MessagePage } from '../http/components/message.js';
import type { Receipt } from '../contracts.js';
import type { Services } from '../services.js';
import { RECEIPT_TEXT } from '../../web/lib/receipt.js';
import { zoneLabel } from '../../web/lib/time.js';
import { FirstPage } from './first-page.js';
import { notOpenNotice, type ClientConnection } from './service.js';
import { canonicalToken, groupedToken } from '../shared/link-token.js';

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
    zh: ['链接无效', '没有找到这份问卷。请检查链接是否完整，或联系评议办索取新的链接。'],
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

/**
 * A link spent by buying a credential: the server can't know whether the ballot arrived, so the
 * page says only what is known; its script resends a ballot this browser still holds, or says
 * the questionnaire was submitted when this browser saw it acknowledged.
 */
const CREDENTIAL_TAKEN = {
  zh: [
    '这个链接已经用过',
    '这个链接已经用来提交过答卷了。如果您当时看到了“提交成功”，就不用再做什么了。',
    '如果提交时网络中断了，请在当时填写问卷的那部手机或那台电脑上，重新打开这个链接，会自动完成提交。',
    '如果做不到，请联系评议办。',
  ],
  en: [
    'This link has been used',
    'This link has already been used to submit answers. If you saw “Submitted” then, there is nothing more to do.',
    'If the network dropped while submitting, open this link again on the phone or computer where you filled in the questionnaire: the submission will be completed automatically.',
    'If that is not possible, please contact the appraisal office.',
  ],
} as const;

/** The receipt of a named campaign's submission, again on its spent link's page (as web/lib/receipt.ts draws it). */
function ReceiptList({ receipt, lang, timeZone }: { receipt: Receipt; lang: 'zh' | 'en'; timeZone: string }) {
  const text = RECEIPT_TEXT[lang];
  return (
    <dl class="receipt">
      <dt>{text.receipt}</dt>
      <dd>{receipt.receipt}</dd>
      <dt>{text.day(zoneLabel(timeZone, lang))}</dt>
      <dd>{receipt.submittedDay}</dd>
    </dl>
  );
}

/** Links are personal: never cached, never indexed. */
const noStore = async (c: Context, next: () => Promise<void>) => {
  await next();
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex, nofollow');
};

/** The link's token as the services know it: one typed by hand read back (server/shared/link-token.ts). */
const tokenOf = (c: Context) => canonicalToken(c.req.param('token') ?? '');

/** Mounted at /s: the evaluator's page `/s/:token`. */
export function evaluatorPages(services: Services) {
  const routes = new Hono<AppEnv>();
  routes.use('*', noStore);

  routes.get('/:token', async (c) => {
    // a link typed by hand (lower case, spaces, O for 0…) goes on as printed, so the page and its
    // requests name it as the letter does; the token as issued (grouped or not) is served as it is
    const typed = c.req.param('token');
    const token = canonicalToken(typed);
    const printed = groupedToken(token);
    if (typed !== token && typed !== printed) return c.redirect(`/s/${printed}${new URL(c.req.url).search}`, 302);
    const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
    const htmlLang = lang === 'en' ? 'en' : 'zh-CN';
    const found = await services.evaluator.pageState(token, connection(c));
    if (found.state === 'used' && found.spent === 'credential') {
      const [title, ...lines] = CREDENTIAL_TAKEN[lang];
      return c.html(
        <Layout
          title={title}
          lang={htmlLang}
          scripts={['spent-link.js']}
          // a refused ballot is corrected on the questionnaire, drawn in place of the message
          styles={['receipt.css', 'evaluator.css']}
        >
          <main
            class="message spent-link"
            id="spent-link"
            data-lang={lang}
            data-time-zone={found.campaign.config.timeZone}
          >
            <div data-unconfirmed>
              <h1>{title}</h1>
              {lines.map((line) => (
                <p>{line}</p>
              ))}
            </div>
          </main>
        </Layout>,
        409,
      );
    }
    if (found.state === 'unknown' || found.state === 'used') {
      const [title, text] = MESSAGES[found.state][lang];
      const used = found.state === 'used' && found.receipt ? found : null;
      return c.html(
        <MessagePage title={title} message={text} lang={htmlLang} styles={used ? ['receipt.css'] : undefined}>
          {used?.receipt && <ReceiptList receipt={used.receipt} lang={lang} timeZone={used.campaign.config.timeZone} />}
        </MessagePage>,
        found.state === 'unknown' ? 404 : 409,
      );
    }
    const { campaign } = found;
    if (found.state !== 'open') {
      const notice = notOpenNotice(campaign, found.state, lang)!;
      return c.html(<MessagePage title={notice.title} message={notice.text} lang={htmlLang} />, 403);
    }
    const early = FirstPage({
      definition: await services.evaluator.servedQuestionnaire(campaign, found.category),
      lang,
    });
    return c.html(
      <Layout
        title={campaign.name}
        lang={htmlLang}
        scripts={['evaluator.js']}
        styles={['evaluator.css']}
        preload={[`/api/s/${encodeURIComponent(c.req.param('token'))}`]}
      >
        <main class="evaluator" id="evaluator" data-lang={lang}>
          <header class="evaluator-header">
            <h1>{campaign.name}</h1>
            <p class="save-status" id="save-status" role="status" aria-live="polite"></p>
          </header>
          <div id="survey">
            {early ?? <p class="loading">{lang === 'en' ? 'Loading the questionnaire…' : '正在加载问卷…'}</p>}
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

  // a refused ballot's questionnaire, for its credential (no link), to correct it on its spent link's page
  routes.post('/ballots/:slug/questionnaire', async (c) =>
    c.json(await services.evaluator.ballotQuestionnaire(c.req.param('slug'), await readJsonBody(c, '请求内容'))),
  );

  routes.post('/:token/credential', async (c) =>
    c.json(await services.evaluator.issueCredential(tokenOf(c), await readJsonBody(c, '请求内容'), connection(c))),
  );

  routes.get('/:token', async (c) => c.json(await services.evaluator.load(tokenOf(c), connection(c))));

  routes.put('/:token/draft', async (c) =>
    c.json(await services.evaluator.saveDraft(tokenOf(c), await readJsonBody(c, '请求内容'), connection(c))),
  );

  routes.post('/:token/submit', async (c) => {
    const result = await services.evaluator.submit(
      tokenOf(c),
      await readJsonBody(c, '请求内容'),
      c.req.header('idempotency-key') ?? null,
      connection(c),
    );
    if (result.replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result.receipt, 201);
  });

  return routes;
}
