// Drives the staff review console in headless Chromium (Debian `chromium`, npm
// `puppeteer-core`): log in, see both cases with their images, approve one, reject the
// other. Prints a JSON summary for tests/review_page.rs to check.
import {cjkDrawn, launch} from './browser.mjs';

const [url, approveHolder, rejectHolder] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(url + '/staff/review', {waitUntil: 'load'});
  await page.type('#staff_id', 'reviewer1');
  await page.type('#password', 'review-demo-1');
  await page.click('#login-button');
  await page.waitForSelector('body[data-loaded="yes"]', {timeout: 30000});
  const before = await page.$$eval('.case', (cs) => cs.map((c) => c.dataset.holder));
  const images = await page.$$eval('.case img', (is) => is.map((i) => i.complete && i.naturalWidth > 0));
  const expiry = await page.$eval('.case .expiry', (e) => e.textContent);
  const cjkFont = await cjkDrawn(page);
  const shots = process.env.SCREENSHOTS;
  if (shots) await page.screenshot({path: shots + '/review-queue.png', fullPage: true});
  await page.click(`.case[data-holder="${approveHolder}"] .approve`);
  await page.waitForFunction((h) => !document.querySelector(`.case[data-holder="${h}"]`), {timeout: 60000}, approveHolder);
  const afterApprove = await page.$$eval('.case', (cs) => cs.length);
  await page.type(`.case[data-holder="${rejectHolder}"] .reason`, '照片与本人不符');
  await page.click(`.case[data-holder="${rejectHolder}"] .reject`);
  await page.waitForFunction(() => document.querySelectorAll('.case').length === 0, {timeout: 30000});
  const status = await page.$eval('#status', (e) => e.textContent);
  console.log(JSON.stringify({before, images, expiry, afterApprove, status, cjkFont}));
} finally {
  await browser.close();
}
