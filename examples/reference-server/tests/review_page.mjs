// Drives the staff review console in headless Chromium (Debian `chromium`, npm
// `puppeteer-core`): log in, see both cases with their images, approve one, reject the
// other. Prints a JSON summary for tests/review_page.rs to check.
import {createRequire} from 'node:module';

// puppeteer-core is installed by scripts/setup.sh under .deps/node (the working directory).
const puppeteer = createRequire(process.cwd() + '/')('puppeteer-core');

const [url, approveHolder, rejectHolder] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
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
  // The page's Chinese is drawn with a real font: without one every character is the same
  // empty box, so different characters would draw the same pixels.
  const cjkFont = await page.evaluate(() => {
    const draw = (ch) => {
      const c = document.createElement('canvas');
      c.width = c.height = 40;
      const x = c.getContext('2d');
      x.font = '32px ' + getComputedStyle(document.body).fontFamily;
      x.fillText(ch, 2, 34);
      return c.toDataURL();
    };
    return draw('人') !== draw('审') && draw('审') !== draw('核');
  });
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
