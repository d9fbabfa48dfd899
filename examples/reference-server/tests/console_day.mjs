// A clerk's day in the staff console, in headless Chromium (Debian `chromium`, npm
// `puppeteer-core`): import a roster with one bad row, declare a death, take a home visit
// from the worklist and record it, look the person up, run the deadline (preview, then
// confirm), feed data comparison, filter the audit log — a screenshot of every page, and a
// check on each that its Chinese is drawn with a real font. Prints a JSON summary.
import {cjkDrawn, launch} from './browser.mjs';

const [url] = process.argv.slice(2);
const shots = process.env.SCREENSHOTS;
const LIU = '610526194801023310', ZHAO = '610526195207152042', WANG = '610526195503011236';

// Before the clerk's day: Liu, bedridden, asks for a home visit from his phone.
const login = await (await fetch(url + '/api/login/card', {method: 'POST', headers: {'Content-Type': 'application/json'},
  body: JSON.stringify({id_number: LIU, pin: '123456'})})).json();
const asked = await fetch(url + '/api/home-visits', {method: 'POST',
  headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + login.token},
  body: JSON.stringify({reason: '卧床三年，无法拍照'})});
if (!asked.ok) throw new Error('home visit request: ' + await asked.text());

const browser = await launch();
const out = {};
try {
  const page = await browser.newPage();
  await page.setViewport({width: 1200, height: 900});
  const text = (sel) => page.$eval(sel, (e) => e.textContent);
  const cjk = () => cjkDrawn(page);
  const tab = async (name) => {
    await page.click(`nav button[data-tab="${name}"]`);
    await page.waitForSelector(`body[data-tab="${name}"][data-loaded="yes"]`);
  };
  const waitStatus = (needle) => page.waitForFunction((n) => document.getElementById('status').textContent.includes(n), {timeout: 30000}, needle);
  const shot = async (name) => {
    out.fonts = out.fonts || {};
    out.fonts[name] = await cjk();
    await page.screenshot({path: `${shots}/console-${name}.png`, fullPage: true});
  };

  await page.goto(url + '/staff', {waitUntil: 'load'});
  await page.type('#staff_id', 'admin');
  await page.type('#password', 'admin-demo-1');
  await page.click('#login-button');
  await page.waitForSelector('body[data-tab="review"][data-loaded="yes"]', {timeout: 30000});
  out.review = await text('#status');
  await shot('review');

  await tab('roster');
  await page.$eval('#roster-csv', (e) => { e.value =
    'id_number,name,scheme,unit,monthly_pension,pension_start\n' +
    '610526194605123453,陈桂兰,public_institution,蒲城县粮食局,2000.00,2010-01\n' +
    '11010519491231002X,坏行,public_institution,x,-3000.00,2010-01\n' +
    '110105194912310021,坏号,public_institution,x,3000.00,2010-01\n'; });
  await page.click('#roster-import');
  await waitStatus('名册已导入');
  out.roster = await text('#roster-result');
  await shot('roster');

  await tab('declare');
  await page.type('#declare-id', ZHAO);
  await page.select('#declare-reason', 'death');
  await page.$eval('#declare-event', (e) => { e.value = '2020-05-10'; });
  await page.$eval('#declare-on', (e) => { e.value = '2020-06-05'; });
  await page.click('#declare-form button[type="submit"]');
  await waitStatus('已申报');
  out.declare = await text('#declare-result');
  await shot('declare');

  await tab('visits');
  out.worklist = await text('#visits');
  await page.click('#visits button');
  await page.waitForFunction(() => [...document.querySelectorAll('#visits button')].some((b) => b.textContent === '已认证'));
  await shot('visits');
  const certified = await page.$$('#visits button');
  for (const b of certified) if ((await b.evaluate((e) => e.textContent)) === '已认证') { await b.click(); break; }
  await waitStatus('已记录：已认证');

  await tab('person');
  await page.type('#person-id', LIU);
  await page.click('#person-form button');
  await page.waitForSelector('#person table');
  out.person = await text('#person');
  await shot('person');

  await tab('run');
  await page.$eval('#run-date', (e) => { e.value = '2020-06-05'; });
  await page.click('#run-preview');
  await page.waitForFunction(() => document.getElementById('run-result').textContent.includes('预览'));
  await page.click('#run-result button');
  await waitStatus('到期处理已执行');
  out.run = await text('#run-result');
  await shot('run');

  await tab('feed');
  await page.$eval('#feed-csv', (e, w) => { e.value = 'id_number,date,kind,source,reference\n' + w + ',2020-06-04,hospital_visit,蒲城县医院,H-1\n'; }, WANG);
  await page.click('#feed-send');
  await waitStatus('比对完成');
  out.feed = await text('#feed-result');
  await shot('feed');

  await tab('audit');
  await page.type('#audit-action', 'visit.');
  await page.click('#audit-form button');
  // The tab first shows every entry; wait for the filtered answer.
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('#audit tr')].slice(1);
    return rows.length > 0 && rows.every((r) => r.children[3].textContent.startsWith('visit.'));
  });
  out.audit = await page.$$eval('#audit tr', (rows) => rows.slice(1).map((r) => r.children[3].textContent));
  await shot('audit');
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
