/**
 * Every API route the client's endpoint functions call, as swagger path
 * templates relative to /api/v1. tests/contract_test.ts checks that each one
 * exists in the Forgejo v11 swagger and that this list matches the calls in
 * core/forgejo/*.ts (so a new endpoint function cannot be forgotten here).
 */
export interface Route {
  method: string;
  path: string;
}

export const CLIENT_ROUTES: ReadonlyArray<Route> = [
  // misc.ts
  { method: "GET", path: "/version" },
  { method: "GET", path: "/settings/api" },
  // users.ts
  { method: "GET", path: "/users/{username}" },
  { method: "GET", path: "/user" },
  // admin.ts
  { method: "POST", path: "/admin/users" },
  { method: "PATCH", path: "/admin/users/{username}" },
  { method: "DELETE", path: "/admin/users/{username}" },
  // tokens.ts
  { method: "GET", path: "/users/{username}/tokens" },
  { method: "POST", path: "/users/{username}/tokens" },
  { method: "DELETE", path: "/users/{username}/tokens/{token}" },
  // orgs.ts
  { method: "GET", path: "/orgs/{org}" },
  { method: "POST", path: "/orgs" },
  // repos.ts
  { method: "GET", path: "/repos/{owner}/{repo}" },
  { method: "PATCH", path: "/repos/{owner}/{repo}" },
  { method: "DELETE", path: "/repos/{owner}/{repo}" },
  { method: "POST", path: "/admin/users/{username}/repos" },
  { method: "POST", path: "/orgs/{org}/repos" },
  { method: "POST", path: "/user/repos" },
  { method: "POST", path: "/repos/migrate" },
  // collaborators.ts
  { method: "GET", path: "/repos/{owner}/{repo}/collaborators" },
  { method: "GET", path: "/repos/{owner}/{repo}/collaborators/{collaborator}" },
  { method: "PUT", path: "/repos/{owner}/{repo}/collaborators/{collaborator}" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/collaborators/{collaborator}" },
  { method: "GET", path: "/repos/{owner}/{repo}/collaborators/{collaborator}/permission" },
  // labels.ts
  { method: "GET", path: "/repos/{owner}/{repo}/labels" },
  { method: "POST", path: "/repos/{owner}/{repo}/labels" },
  { method: "PATCH", path: "/repos/{owner}/{repo}/labels/{id}" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/labels/{id}" },
  { method: "GET", path: "/repos/{owner}/{repo}/issues/{index}/labels" },
  { method: "POST", path: "/repos/{owner}/{repo}/issues/{index}/labels" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/issues/{index}/labels/{id}" },
  // issues.ts
  { method: "GET", path: "/repos/{owner}/{repo}/issues" },
  { method: "POST", path: "/repos/{owner}/{repo}/issues" },
  { method: "GET", path: "/repos/{owner}/{repo}/issues/{index}" },
  { method: "PATCH", path: "/repos/{owner}/{repo}/issues/{index}" },
  { method: "GET", path: "/repos/{owner}/{repo}/issues/{index}/comments" },
  { method: "POST", path: "/repos/{owner}/{repo}/issues/{index}/comments" },
  // timeline.ts
  { method: "GET", path: "/repos/{owner}/{repo}/issues/{index}/timeline" },
  // branches.ts
  { method: "GET", path: "/repos/{owner}/{repo}/branches" },
  { method: "POST", path: "/repos/{owner}/{repo}/branches" },
  { method: "GET", path: "/repos/{owner}/{repo}/branches/{branch}" },
  // protections.ts
  { method: "GET", path: "/repos/{owner}/{repo}/branch_protections" },
  { method: "POST", path: "/repos/{owner}/{repo}/branch_protections" },
  { method: "GET", path: "/repos/{owner}/{repo}/branch_protections/{name}" },
  { method: "PATCH", path: "/repos/{owner}/{repo}/branch_protections/{name}" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/branch_protections/{name}" },
  // tags.ts
  { method: "GET", path: "/repos/{owner}/{repo}/tags/{tag}" },
  { method: "POST", path: "/repos/{owner}/{repo}/tags" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/tags/{tag}" },
  // pulls.ts
  { method: "GET", path: "/repos/{owner}/{repo}/pulls" },
  { method: "POST", path: "/repos/{owner}/{repo}/pulls" },
  { method: "GET", path: "/repos/{owner}/{repo}/pulls/{index}" },
  { method: "PATCH", path: "/repos/{owner}/{repo}/pulls/{index}" },
  { method: "GET", path: "/repos/{owner}/{repo}/pulls/{index}/merge" },
  { method: "POST", path: "/repos/{owner}/{repo}/pulls/{index}/merge" },
  { method: "GET", path: "/repos/{owner}/{repo}/pulls/{index}/reviews" },
  { method: "POST", path: "/repos/{owner}/{repo}/pulls/{index}/reviews" },
  // statuses.ts
  { method: "POST", path: "/repos/{owner}/{repo}/statuses/{sha}" },
  { method: "GET", path: "/repos/{owner}/{repo}/commits/{ref}/status" },
  { method: "GET", path: "/repos/{owner}/{repo}/commits/{ref}/statuses" },
  // mirrors.ts
  { method: "GET", path: "/repos/{owner}/{repo}/push_mirrors" },
  { method: "POST", path: "/repos/{owner}/{repo}/push_mirrors" },
  { method: "DELETE", path: "/repos/{owner}/{repo}/push_mirrors/{name}" },
  { method: "POST", path: "/repos/{owner}/{repo}/push_mirrors-sync" },
  // contents.ts
  { method: "POST", path: "/repos/{owner}/{repo}/contents/{filepath}" },
  // oauth.ts
  { method: "GET", path: "/user/applications/oauth2" },
  { method: "POST", path: "/user/applications/oauth2" },
  { method: "GET", path: "/user/applications/oauth2/{id}" },
  { method: "PATCH", path: "/user/applications/oauth2/{id}" },
  { method: "DELETE", path: "/user/applications/oauth2/{id}" },
];
