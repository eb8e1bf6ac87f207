import { raw } from 'hono/html';
import QRCode from 'qrcode';
import { type Campaign, invitedAs } from '../campaigns/service.js';
import type { IssuedInvitation } from './service.js';
import { formatLongDate, formatLongDateTime, zoneLabel } from '../../web/lib/time.js';

const LETTER_CSS = `
@page { size: A4; margin: 20mm 18mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "FangSong", "STFangsong", "仿宋", "Songti SC", "SimSun", "Noto Serif CJK SC", serif; color: #000; background: #eee; font-size: 15pt; line-height: 1.6; }
.letter { background: #fff; width: 210mm; min-height: 297mm; margin: 10mm auto; padding: 20mm 18mm; page-break-after: always; break-after: page; }
.letter:last-child { page-break-after: auto; break-after: auto; }
.letter h1 { font-family: "SimHei", "黑体", "Heiti SC", sans-serif; font-size: 20pt; line-height: 1.4; text-align: center; margin: 0 0 3mm; font-weight: normal; }
.letter h2 { font-size: 18pt; line-height: 1.4; text-align: center; margin: 0 0 6mm; font-weight: normal; letter-spacing: 0.5em; }
.letter p { margin: 0 0 3mm; text-indent: 2em; }
.letter p.to { text-indent: 0; }
.qr { text-align: center; margin: 5mm 0 3mm; }
.qr svg { width: 45mm; height: 45mm; }
.link { text-align: center; text-indent: 0 !important; font-family: "Courier New", monospace; font-size: 11pt; line-height: 1.4; word-break: break-all; margin-bottom: 1mm !important; }
.link .code { font-size: 14pt; font-weight: bold; letter-spacing: 0.05em; }
.typing { text-align: center; text-indent: 0 !important; font-size: 10.5pt; line-height: 1.4; }
.sign { text-align: right; text-indent: 0 !important; margin-top: 8mm !important; }
.toolbar { text-align: center; padding: 4mm; font-family: sans-serif; font-size: 12pt; }
/* one letter a page: the A4 text block is 257 mm high and a letter takes about 220 mm of it, and a unit name wrapping twice about 235 mm */
@media print { body { background: #fff; } .letter { margin: 0; width: auto; min-height: 0; padding: 0; break-inside: avoid; } .toolbar { display: none; } }
`;

/** One invitation letter (one A4 page); the QR code is inline SVG. */
function Letter({
  campaign,
  invitation: i,
  qr,
  now,
}: {
  campaign: Campaign;
  invitation: IssuedInvitation;
  qr: string;
  now: Date;
}) {
  const zone = campaign.config.timeZone;
  // the token on a line of its own, in groups of four, for whoever types it
  const cut = i.link.lastIndexOf('/s/');
  const [base, code] = [i.link.slice(0, cut), i.link.slice(cut + 3)];
  return (
    <section class="letter">
      <h1>{campaign.name}</h1>
      <h2>邀请函</h2>
      <p class="to">
        尊敬的{i.organisation ? ` ${i.organisation} ` : ''}
        {i.name}：
      </p>
      <p>
        您好！诚挚邀请您{invitedAs(campaign, i.category)}参加{campaign.name}
        ，对今年与您打过交道的机关部门的工作效率和工作质量进行评价，并反映您遇到的作风问题和办事中的负面情形。
      </p>
      <p>
        请于 {formatLongDateTime(campaign.closesAt, zone)}（{zoneLabel(zone)}）
        前，用手机扫描下方二维码，或在电脑浏览器中输入下面的网址参加评议。填写过程中答案会自动保存，换一台手机或电脑打开同一链接可以继续填写；全部填完后提交一次即可。
      </p>
      {campaign.mode === 'anonymous' ? (
        <p>本次评议为匿名评议：提交后的答卷不与您的姓名、单位或本链接关联。</p>
      ) : (
        <p>本次评议为实名评议。</p>
      )}
      <p>此链接仅供您本人使用，请勿转发他人。</p>
      <div class="qr">{raw(qr)}</div>
      <p class="link">
        {base}/s/
        <br />
        <span class="code">{code}</span>
      </p>
      <p class="typing">手动输入时，字母不分大小写，短横线可以不输；把 0 输成字母 O、把 1 输成字母 I 或 L 也可以。</p>
      <p class="sign">
        评议办
        <br />
        {formatLongDate(now, zone)}
      </p>
    </section>
  );
}

/**
 * Printable invitation letters: a self-contained HTML document (styles inline, QR codes as
 * inline SVG, no script), one letter per A4 page. It opens from a downloaded file as well.
 */
export async function lettersHtml(campaign: Campaign, issued: IssuedInvitation[], now: Date): Promise<string> {
  const letters = [];
  for (const [index, invitation] of issued.entries()) {
    // QR codes are CPU work: let other requests in every 100 letters (3,000 letters ≈ 2 s)
    if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    const qr = await QRCode.toString(invitation.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    letters.push(<Letter campaign={campaign} invitation={invitation} qr={qr} now={now} />);
  }
  const doc = (
    <>
      {raw('<!doctype html>')}
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>
            {campaign.name} · 邀请函（{issued.length} 份）
          </title>
          <style>{raw(LETTER_CSS)}</style>
        </head>
        <body>
          <div class="toolbar">共 {issued.length} 份邀请函，每份一页 A4。请用浏览器的“打印”功能打印。</div>
          {letters}
        </body>
      </html>
    </>
  );
  return String(await doc);
}
