/**
 * Fidelity: pagination as Forgejo v11 does it, per endpoint
 * (shared/FORGEJO-API.md §1.5 and §3 item 7).
 */
import assert from "node:assert/strict";
import { startEmulator } from "../../../tests/helpers/emulator.ts";
import {
  adminAuth,
  call,
  type Json,
  newIssue,
  newLabel,
  newRepo,
} from "../../../tests/helpers/emulator_api.ts";

const R = "disinto-admin/paged";

Deno.test("forgejo fidelity: pagination", async (t) => {
  const em = await startEmulator();
  const get = (path: string) => call(em, "GET", path, { auth: adminAuth(em) });
  const root = `${em.url.replace(/\/$/, "")}/`;
  try {
    await newRepo(em, em.admin.user, "paged");
    for (let i = 1; i <= 55; i++) await newIssue(em, R, `issue ${i}`);
    for (const name of ["c", "a", "b"]) await newLabel(em, R, name);
    await call(em, "POST", `/repos/${R}/issues/1/labels`, {
      auth: adminAuth(em),
      body: { labels: ["a", "b", "c"] },
    });

    await t.step("issues default to 30 per page, with the total in X-Total-Count", async () => {
      const reply = await get(`/repos/${R}/issues`);
      assert.equal(reply.body.length, 30);
      assert.equal(reply.headers.get("x-total-count"), "55");
      assert.match(reply.headers.get("access-control-expose-headers") ?? "", /X-Total-Count/);
      assert.match(reply.headers.get("access-control-expose-headers") ?? "", /Link/);
    });

    await t.step("a limit above 50 is clamped to 50, not refused", async () => {
      const reply = await get(`/repos/${R}/issues?limit=100`);
      assert.equal(reply.status, 200);
      assert.equal(reply.body.length, 50);
    });

    await t.step("a limit of 0 or less means the default 30", async () => {
      for (const limit of ["0", "-5", "abc"]) {
        assert.equal((await get(`/repos/${R}/issues?limit=${limit}`)).body.length, 30, limit);
      }
    });

    await t.step("page 0, negative or non-numeric reads as page 1", async () => {
      const first = (await get(`/repos/${R}/issues?limit=5`)).body.map((i: Json) => i.number);
      for (const page of ["0", "-1", "x"]) {
        const reply = await get(`/repos/${R}/issues?limit=5&page=${page}`);
        assert.deepEqual(reply.body.map((i: Json) => i.number), first, page);
      }
    });

    await t.step("a page past the end is []", async () => {
      const reply = await get(`/repos/${R}/issues?page=9`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, []);
    });

    await t.step("Link lists next and last on the first page, keys sorted", async () => {
      const reply = await get(`/repos/${R}/issues?state=open&limit=20`);
      const at = (page: number) =>
        `<${root}api/v1/repos/${R}/issues?limit=20&page=${page}&state=open>`;
      assert.equal(reply.headers.get("link"), `${at(2)}; rel="next",${at(3)}; rel="last"`);
    });

    await t.step("Link lists next, last, first and prev in that order in the middle", async () => {
      const reply = await get(`/repos/${R}/issues?limit=20&page=2`);
      const at = (page: number) => `<${root}api/v1/repos/${R}/issues?limit=20&page=${page}>`;
      assert.equal(
        reply.headers.get("link"),
        `${at(3)}; rel="next",${at(3)}; rel="last",${at(1)}; rel="first",${at(1)}; rel="prev"`,
      );
    });

    await t.step("Link has only first and prev on the last page", async () => {
      const reply = await get(`/repos/${R}/issues?limit=20&page=3`);
      const at = (page: number) => `<${root}api/v1/repos/${R}/issues?limit=20&page=${page}>`;
      assert.equal(reply.headers.get("link"), `${at(1)}; rel="first",${at(2)}; rel="prev"`);
    });

    await t.step("a page past the end links like the last page (clamped prev)", async () => {
      // modules/paginator/paginator.go New clamps current to TotalPages.
      const reply = await get(`/repos/${R}/issues?limit=20&page=9`);
      assert.deepEqual(reply.body, []);
      const at = (page: number) => `<${root}api/v1/repos/${R}/issues?limit=20&page=${page}>`;
      assert.equal(reply.headers.get("link"), `${at(1)}; rel="first",${at(2)}; rel="prev"`);
    });

    await t.step(
      "Link's query is Go's url.Values.Encode: keys in byte order, space as +, QueryEscape",
      async () => {
        // services/context/api.go genAPILinks: u.Query() then queries.Encode().
        const reply = await get(`/repos/${R}/issues?limit=20&_z=1&Xtra=a%20b!*'()~&page=2`);
        const at = (page: number) =>
          `<${root}api/v1/repos/${R}/issues?Xtra=a+b%21%2A%27%28%29~&_z=1&limit=20&page=${page}>`;
        assert.equal(
          reply.headers.get("link"),
          `${at(3)}; rel="next",${at(3)}; rel="last",${at(1)}; rel="first",${at(1)}; rel="prev"`,
        );
      },
    );

    await t.step("a single page has no Link header", async () => {
      const reply = await get(`/repos/${R}/issues?limit=50&labels=a`);
      assert.equal(reply.body.length, 1);
      assert.equal(reply.headers.get("link"), null);
    });

    await t.step("labels return every label without page, and page with it", async () => {
      const all = await get(`/repos/${R}/labels?limit=1`);
      assert.equal(all.body.length, 3);
      const paged = await get(`/repos/${R}/labels?limit=1&page=2`);
      assert.deepEqual(paged.body.map((l: Json) => l.name), ["b"]);
      assert.equal(paged.headers.get("x-total-count"), "3");
      assert.equal(paged.headers.get("link"), null);
    });

    await t.step("the timeline returns everything without page and counts the page", async () => {
      const all = await get(`/repos/${R}/issues/1/timeline?limit=1`);
      assert.equal(all.body.length, 3);
      assert.equal(all.headers.get("x-total-count"), "3");
      const paged = await get(`/repos/${R}/issues/1/timeline?limit=2&page=2`);
      assert.equal(paged.body.length, 1);
      // The count is of this response's items, not the total.
      assert.equal(paged.headers.get("x-total-count"), "1");
      assert.equal(paged.headers.get("link"), null);
    });

    await t.step("tokens are all listed without page and paged with it", async () => {
      for (const name of ["t1", "t2", "t3"]) {
        await call(em, "POST", `/users/${em.admin.user}/tokens`, {
          auth: adminAuth(em),
          body: { name, scopes: ["read:user"] },
        });
      }
      const all = await get(`/users/${em.admin.user}/tokens?limit=1`);
      assert.equal(all.body.length, 3);
      const paged = await get(`/users/${em.admin.user}/tokens?limit=1&page=3`);
      assert.deepEqual(paged.body.map((x: Json) => x.name), ["t1"]);
      assert.equal(paged.headers.get("x-total-count"), "3");
    });

    await t.step("branch protections are not paged and have no X-Total-Count", async () => {
      for (const rule of ["r1", "r2"]) {
        await call(em, "POST", `/repos/${R}/branch_protections`, {
          auth: adminAuth(em),
          body: { rule_name: rule },
        });
      }
      const reply = await get(`/repos/${R}/branch_protections?limit=1&page=2`);
      assert.equal(reply.body.length, 2);
      assert.equal(reply.headers.get("x-total-count"), null);
    });
  } finally {
    await em.dispose();
  }
});
