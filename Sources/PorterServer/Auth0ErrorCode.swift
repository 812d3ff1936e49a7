/// The `errorCode` values porter serve puts in Management API error bodies: only values Auth0
/// is seen to send, each with where it was seen. A case where no source confirms a code (a
/// missing job, a 413 upload, a 503 search timeout) sends no `errorCode` at all rather than an
/// invented one; add a case here only with its source.
enum Auth0ErrorCode: String, CaseIterable, Sendable {
    /// 404 "The user does not exist.": go-auth0 test/data/recordings/TestUserManager_Delete.yaml
    /// (recorded from a live tenant), auth0.net tests/Auth0.ManagementApi.IntegrationTests/UsersTests.cs.
    case inexistentUser = "inexistent_user"
    /// "The connection does not exist": go-auth0 test/data/recordings/TestConnectionManager_Delete.yaml,
    /// auth0.net tests/Auth0.ManagementApi.IntegrationTests/ConnectionTests.cs.
    case inexistentConnection = "inexistent_connection"
    /// 403 "Insufficient scope, expected any of: a, b": auth0-cli internal/cli/api_test.go.
    case insufficientScope = "insufficient_scope"
    /// 400 "Payload validation error: '…' on property …": ruby-auth0 spec/fixtures/vcr_cassettes
    /// (Auth0_Api_V2_Jobs/…/should_reject_an_invalid_client_id.yml), go-auth0 recordings.
    case invalidBody = "invalid_body"
    /// 400 on a bad query string (search syntax, paging): no Auth0 source; a third-party
    /// connector written against the live API branches on it (openstandia connector-auth0,
    /// Auth0Connector.java). Kept on that evidence only.
    case invalidQueryString = "invalid_query_string"
    /// 429 (rate limit, 2 active import jobs): node-auth0 tests/management/jobs.test.ts
    /// ("There are 4 active import users jobs").
    case tooManyRequests = "too_many_requests"
}
