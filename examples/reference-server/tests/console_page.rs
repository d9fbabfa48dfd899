//! A clerk's whole day in the staff console, in headless Chromium (`console_day.mjs`):
//! roster import with a row-by-row error report, a death declared, a home visit taken from
//! the worklist and recorded, the person looked up, the deadline run previewed and
//! confirmed, data comparison fed, the audit log filtered. Every page is photographed
//! (`target/screenshots/console-*.png`) and checked to draw its Chinese with a real font.
//! Needs `scripts/setup.sh test` (Debian chromium and fonts-noto-cjk, npm puppeteer-core).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerks_day_in_chromium() {
    let Some(chromium) = chromium() else {
        return;
    };
    let s = fresh("console-day").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = s.app.clone();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let day = run_browser_script(chromium, "console_day.mjs", vec![format!("http://{addr}")]).await;
    let text = |k: &str| day[k].as_str().unwrap_or_default().to_owned();
    assert!(text("review").contains("共 0 件待审核"), "{day}");
    // A negative amount on line 3, a wrong check character on line 4: each refused by its
    // line, said in Chinese; the good row is stored.
    assert!(text("roster").contains("已导入 1 行；未导入 2 行"), "{day}");
    assert!(text("roster").contains("3月养老金应为正数金额"), "{day}");
    assert!(text("roster").contains("4身份证号码有误"), "{day}");
    assert!(text("declare").contains("自 2020-06 起暂停发放（死亡）"), "{day}");
    assert!(
        text("worklist").contains("刘德明") && text("worklist").contains("卧床三年"),
        "{day}"
    );
    assert!(text("person").contains("上门认证"), "{day}");
    assert!(text("run").contains("已执行"), "{day}");
    assert!(text("feed").contains("比对认证 1 人"), "{day}");
    let audit: Vec<&str> = day["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(audit, ["visit.done", "visit.assigned", "visit.requested"], "{day}");
    for (page, drawn) in day["fonts"].as_object().unwrap() {
        assert_eq!(
            drawn, true,
            "{page}: Chinese drawn as empty boxes (install fonts-noto-cjk)"
        );
    }
    assert_eq!(day["fonts"].as_object().unwrap().len(), 8, "{day}");
    // What the server holds after the day: Liu certified at home, Zhao suspended.
    let liu = s
        .call(
            axum::http::Method::GET,
            "/staff/api/people/610526194801023310",
            Some(&s.staff_token("admin").await),
            None,
        )
        .await
        .1;
    assert_eq!(liu["certifications"][0]["method"], "home_visit", "{liu}");
}
