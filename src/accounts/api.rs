//! JSON API for sign-in and user administration.

use poem::web::Data;
use poem::web::cookie::CookieJar;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::MaybeUndefined;
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use time::OffsetDateTime;
use uuid::Uuid;

use super::import::{self, ImportSummary};
use super::model::ListFilter;
use super::model::{Role, UserInput, UserView};
use super::service::{self, UserChanges};
use super::{activation_api, credentials, password_reset};
use crate::error::AppResult;
use crate::http::api_tags::ApiTags;
use crate::http::auth::{Auth, ClientIp, expired_session_cookie, start_session};
use crate::http::responses::Alternatives;
use crate::http::state::AppState;

/// Largest spreadsheet accepted by the user import.

#[derive(Object)]
struct LoginRequest {
    /// Username, NIP or e-mail address.
    login: String,
    password: String,
}

#[derive(Object)]
struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; the same value is set as the session cookie.
    token: String,
    expires_at: OffsetDateTime,
    user: UserView,
}

#[derive(Object)]
struct ActivateRequest {
    /// Username, NIP or e-mail address.
    #[oai(validator(max_length = 254))]
    login: String,
    /// The code on the activation slip; spaces, dashes and case do not matter.
    #[oai(validator(max_length = 64))]
    code: String,
    /// At least 10 characters, not the NIP, username or name, not a common password.
    #[oai(validator(max_length = 128))]
    new_password: String,
}

#[derive(Object)]
struct PasswordResetRequest {
    /// Username, NIP or e-mail address.
    #[oai(validator(max_length = 254))]
    login: String,
}

#[derive(Object)]
struct PasswordResetConfirm {
    /// The `token` of the link in the e-mail.
    #[oai(validator(max_length = 128))]
    token: String,
    /// At least 10 characters, not the NIP, username or name, not a common password.
    #[oai(validator(max_length = 128))]
    new_password: String,
}

#[derive(ApiResponse)]
enum ResetRequested {
    /// Taken: if the account exists, is active and has an e-mail address,
    /// a link is on its way (the answer is the same when it does not).
    #[oai(status = 202)]
    Accepted,
}

#[derive(ApiResponse)]
enum PasswordChanged {
    /// The password is set; every session of the account has ended.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum LogoutResponse {
    /// Signed out; the session no longer works anywhere.
    #[oai(status = 204)]
    Done,
}

pub struct AuthApi;

#[OpenApi(prefix_path = "/auth", tag = "ApiTags::Auth")]
impl AuthApi {
    /// Sign in with username, NIP or e-mail.
    ///
    /// Repeated failures for one login or from one address answer 429 with `Retry-After`.
    #[oai(path = "/login", method = "post")]
    async fn login(
        &self,
        state: Data<&AppState>,
        client: Data<&ClientIp>,
        cookies: &CookieJar,
        body: Json<LoginRequest>,
    ) -> AppResult<Json<LoginResponse>> {
        let ttl = state.config.session_ttl();
        let address = client.key();
        let LoginRequest { login, password } = body.0;
        let signed_in =
            service::login(&state.db, &login, password, address.as_deref(), ttl).await?;
        start_session(cookies, &state.config, &signed_in.session);
        Ok(Json(LoginResponse {
            token: signed_in.session.token,
            expires_at: signed_in.session.expires_at,
            user: signed_in.user,
        }))
    }

    /// First sign-in with an activation code: sets the password and signs in.
    ///
    /// The code is used up on success. A wrong or expired code answers 401
    /// `invalid_activation_code`; a password that breaks the policy answers
    /// 422 and leaves the code usable. Tries share the sign-in throttle (429).
    #[oai(path = "/activate", method = "post")]
    async fn activate(
        &self,
        state: Data<&AppState>,
        client: Data<&ClientIp>,
        cookies: &CookieJar,
        body: Json<ActivateRequest>,
    ) -> AppResult<Json<LoginResponse>> {
        let ttl = state.config.session_ttl();
        let address = client.key();
        let ActivateRequest {
            login,
            code,
            new_password,
        } = body.0;
        let signed_in = credentials::activate(
            &state.db,
            &login,
            &code,
            new_password,
            address.as_deref(),
            ttl,
        )
        .await?;
        start_session(cookies, &state.config, &signed_in.session);
        Ok(Json(LoginResponse {
            token: signed_in.session.token,
            expires_at: signed_in.session.expires_at,
            user: signed_in.user,
        }))
    }

    /// "Lupa kata sandi": e-mails a link, valid 30 minutes and good once.
    ///
    /// Answers 202 whether or not the account exists. At most one mail per
    /// account every two minutes. Without `BIMTEK_SMTP_URL` it answers 409
    /// `password_reset_unavailable`.
    #[oai(path = "/password-reset", method = "post")]
    async fn password_reset(
        &self,
        state: Data<&AppState>,
        body: Json<PasswordResetRequest>,
    ) -> AppResult<ResetRequested> {
        password_reset::start(&state, body.0.login)?;
        Ok(ResetRequested::Accepted)
    }

    /// Sets a new password with the token from a reset link.
    ///
    /// A used, expired or unknown token answers 401 `invalid_reset_link`; a
    /// password that breaks the policy answers 422 and leaves the link usable.
    #[oai(path = "/password-reset/confirm", method = "post")]
    async fn password_reset_confirm(
        &self,
        state: Data<&AppState>,
        body: Json<PasswordResetConfirm>,
    ) -> AppResult<PasswordChanged> {
        let PasswordResetConfirm {
            token,
            new_password,
        } = body.0;
        password_reset::confirm(&state.db, &token, new_password).await?;
        Ok(PasswordChanged::Done)
    }

    /// Sign out: ends this session on every instance at once.
    #[oai(path = "/logout", method = "post")]
    async fn logout(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        cookies: &CookieJar,
    ) -> AppResult<LogoutResponse> {
        service::logout(&state.db, auth.user()).await?;
        cookies.add(expired_session_cookie(&state.config));
        Ok(LogoutResponse::Done)
    }
}

pub struct MeApi;

#[OpenApi(tag = "ApiTags::Auth")]
impl MeApi {
    /// The signed-in user.
    #[oai(path = "/me", method = "get")]
    async fn me(&self, state: Data<&AppState>, auth: Auth) -> AppResult<Json<UserView>> {
        Ok(Json(service::me(&state.db, auth.user()).await?))
    }
}

#[derive(Object)]
struct CreateUserRequest {
    /// Defaults to the NIP when absent.
    #[oai(validator(pattern = r"^[A-Za-z0-9._-]{3,64}$"))]
    username: Option<String>,
    /// 18-digit PNS or PPPK NIP; optional for non-ASN staff.
    #[oai(validator(pattern = r"^ *([0-9] *){18}$"))]
    nip: Option<String>,
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    name: String,
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^\s\x1c-\x1f@]+@[^\s\x1c-\x1f@.][^\s\x1c-\x1f@]*\.[^\s\x1c-\x1f@]*[^\s\x1c-\x1f@.]$"
    ))]
    email: Option<String>,
    #[oai(validator(max_length = 200))]
    unit_kerja: Option<String>,
    #[oai(validator(max_length = 200))]
    jabatan: Option<String>,
    /// Defaults to `trainee`.
    #[oai(default)]
    roles: Vec<Role>,
    /// The password policy applies (at least 10 characters, not the NIP,
    /// username or name, not a common password); without one the user
    /// signs in with an activation code.
    #[oai(validator(min_length = 10, max_length = 128))]
    password: Option<String>,
}

#[derive(Object)]
struct UpdateUserRequest {
    #[oai(validator(max_length = 200, pattern = r"[^\s\x1c-\x1f]"))]
    name: Option<String>,
    /// `null` removes the NIP.
    #[oai(validator(pattern = r"^ *([0-9] *){18}$"))]
    nip: MaybeUndefined<String>,
    #[oai(validator(
        max_length = 254,
        pattern = r"^[^\s\x1c-\x1f@]+@[^\s\x1c-\x1f@.][^\s\x1c-\x1f@]*\.[^\s\x1c-\x1f@]*[^\s\x1c-\x1f@.]$"
    ))]
    email: MaybeUndefined<String>,
    #[oai(validator(max_length = 200))]
    unit_kerja: MaybeUndefined<String>,
    #[oai(validator(max_length = 200))]
    jabatan: MaybeUndefined<String>,
    #[oai(validator(min_items = 1))]
    roles: Option<Vec<Role>>,
    /// `false` deactivates the account and ends its sessions.
    active: Option<bool>,
    /// Sets a new password (under the password policy) and ends the user's sessions.
    #[oai(validator(min_length = 10, max_length = 128))]
    password: Option<String>,
}

fn maybe(value: MaybeUndefined<String>) -> Option<Option<String>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[derive(Object)]
struct UserList {
    items: Vec<UserView>,
    total: u64,
    page: u64,
    per_page: u64,
}

#[derive(ApiResponse)]
enum CreatedUser {
    /// The user was created.
    #[oai(status = 201)]
    Created(Json<UserView>),
}

#[derive(Multipart)]
#[oai(deny_unknown_fields)]
struct ImportUpload {
    /// CSV (comma or semicolon, UTF-8, BOM allowed) or XLSX with a header row.
    file: Upload,
}

pub struct UsersApi;

#[OpenApi(prefix_path = "/users", tag = "ApiTags::Users")]
impl UsersApi {
    /// Create a user (admin).
    #[oai(path = "/", method = "post")]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        body: Json<CreateUserRequest>,
    ) -> AppResult<CreatedUser> {
        let body = body.0;
        let input = UserInput {
            username: body.username,
            nip: body.nip,
            name: Some(body.name),
            email: body.email,
            unit_kerja: body.unit_kerja,
            jabatan: body.jabatan,
            roles: body.roles,
            password: body.password,
        };
        Ok(CreatedUser::Created(Json(
            service::create_user(&state.db, auth.user(), input).await?,
        )))
    }

    /// List users (admin), filtered by role and a search text, 50 per page.
    #[oai(path = "/", method = "get")]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        role: Query<Option<Role>>,
        /// Matches name, username, NIP, e-mail or unit kerja.
        q: Query<Option<String>>,
        #[oai(
            default = "first_page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page: Query<u64>,
        #[oai(
            default = "default_per_page",
            validator(minimum(value = "1"), maximum(value = "500"))
        )]
        per_page: Query<u64>,
    ) -> AppResult<Json<UserList>> {
        let filter = ListFilter {
            role: role.0,
            query: q.0,
            page: page.0,
            per_page: per_page.0,
        };
        let found = service::list_users(&state.db, auth.user(), &filter).await?;
        Ok(Json(UserList {
            items: found.items,
            total: found.total,
            page: filter.page,
            per_page: filter.per_page,
        }))
    }

    /// One user (admin).
    #[oai(path = "/:id", method = "get")]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
    ) -> AppResult<Json<UserView>> {
        Ok(Json(service::get_user(&state.db, auth.user(), id.0).await?))
    }

    /// Change a user (admin): details, roles, deactivation, password reset.
    #[oai(path = "/:id", method = "patch")]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        id: Path<Uuid>,
        body: Json<UpdateUserRequest>,
    ) -> AppResult<Json<UserView>> {
        let body = body.0;
        let changes = UserChanges {
            name: body.name,
            nip: maybe(body.nip),
            email: maybe(body.email),
            unit_kerja: maybe(body.unit_kerja),
            jabatan: maybe(body.jabatan),
            roles: body.roles,
            active: body.active,
            password: body.password,
        };
        Ok(Json(
            service::update_user(&state.db, auth.user(), id.0, changes).await?,
        ))
    }

    /// Issue activation codes and download them as a sheet (admin).
    ///
    /// Give `user_ids` or `batch_id`. Each account gets a new single-use
    /// code valid for 14 days; any earlier code of theirs stops working.
    /// Inactive accounts are skipped, and so are accounts with a password
    /// unless `include_with_password`. 409 `nothing_to_issue` when no one
    /// is left; 404 for an unknown user or batch.
    #[oai(path = "/activation", method = "post")]
    async fn activation(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        #[oai(default = "activation_api::pdf_format")] format: Query<activation_api::SheetFormat>,
        body: Json<activation_api::ActivationRequest>,
    ) -> AppResult<Alternatives<activation_api::SheetBody>> {
        let admin = auth.user();
        service::may_manage(admin)?;
        let body = body.0;
        let issued = activation_api::issue(
            &state,
            admin,
            body.recipients()?,
            body.include_with_password,
        )
        .await?;
        Ok(Alternatives(activation_api::sheet(
            &state.config.base_url,
            &issued,
            format.0,
        )?))
    }

    /// Import users from CSV or XLSX (admin). All rows or none: any bad row
    /// answers 422 with every bad row in `details`. Rows match existing
    /// users by NIP, else username, so re-importing changes nothing.
    #[oai(path = "/import", method = "post")]
    async fn import(
        &self,
        state: Data<&AppState>,
        auth: Auth,
        /// Validate only; write nothing.
        #[oai(default)]
        dry_run: Query<bool>,
        upload: ImportUpload,
    ) -> AppResult<Json<ImportSummary>> {
        service::may_manage(auth.user())?;
        let bytes =
            crate::http::upload::read_upload(upload.file, crate::tabular::MAX_UPLOAD_BYTES).await?;
        Ok(Json(
            import::import_file(&state.db, auth.user(), bytes.0, bytes.1, dry_run.0).await?,
        ))
    }
}

fn first_page() -> u64 {
    1
}

fn default_per_page() -> u64 {
    50
}
