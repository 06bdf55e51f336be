//! `OAuthIdentityRepository` on `oauth_identities`.

use async_trait::async_trait;
use diesel::prelude::*;
use portcullis_domain::oauth::{OAuthIdentity, ProviderName};
use portcullis_domain::ports::OAuthIdentityRepository;
use portcullis_domain::{StoreError, UserId};

use crate::db::SqliteDb;
use crate::rows::{OAuthIdentityRow, decode, decode_all};
use crate::schema::oauth_identities;
use crate::types::TextUuid;

/// Links between provider accounts and local users in `oauth_identities`, unique by the
/// primary key (provider, subject).
#[derive(Clone, Debug)]
pub struct SqliteOAuthIdentities {
    db: SqliteDb,
}

impl SqliteOAuthIdentities {
    /// A repository on this database.
    pub fn new(db: SqliteDb) -> Self {
        Self { db }
    }
}

#[async_trait]
impl OAuthIdentityRepository for SqliteOAuthIdentities {
    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.find", otel.kind = "client", db.system.name = "sqlite"))]
    async fn find(
        &self,
        provider: ProviderName,
        subject: &str,
    ) -> Result<Option<OAuthIdentity>, StoreError> {
        let subject = subject.to_owned();
        let row = self
            .db
            .read("loading an OAuth identity", move |conn| {
                oauth_identities::table
                    .find((provider.as_str(), subject))
                    .select(OAuthIdentityRow::as_select())
                    .first::<OAuthIdentityRow>(conn)
                    .optional()
            })
            .await?;
        row.map(decode).transpose()
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.link", otel.kind = "client", db.system.name = "sqlite"))]
    async fn link(&self, identity: &OAuthIdentity) -> Result<bool, StoreError> {
        let row = OAuthIdentityRow::from(identity);
        // ON CONFLICT DO NOTHING: a taken (provider, subject) is an answer, and the
        // first link is kept, even between concurrent callers.
        let inserted = self
            .db
            .write("linking an OAuth identity", move |conn| {
                diesel::insert_into(oauth_identities::table)
                    .values(row)
                    .on_conflict((oauth_identities::provider, oauth_identities::subject))
                    .do_nothing()
                    .execute(conn)
            })
            .await?;
        Ok(inserted == 1)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.list_for_user", otel.kind = "client", db.system.name = "sqlite"))]
    async fn list_for_user(&self, user: UserId) -> Result<Vec<OAuthIdentity>, StoreError> {
        let user = TextUuid(user.as_uuid());
        let rows = self
            .db
            .read("listing a user's OAuth identities", move |conn| {
                oauth_identities::table
                    .select(OAuthIdentityRow::as_select())
                    .filter(oauth_identities::user_id.eq(user))
                    .order((oauth_identities::provider, oauth_identities::subject))
                    .load::<OAuthIdentityRow>(conn)
            })
            .await?;
        decode_all(rows)
    }

    #[tracing::instrument(level = "debug", name = "db", skip_all, fields(otel.name = "OAuthIdentityRepository.unlink", otel.kind = "client", db.system.name = "sqlite"))]
    async fn unlink(&self, user: UserId, provider: ProviderName) -> Result<bool, StoreError> {
        let user = TextUuid(user.as_uuid());
        let deleted = self
            .db
            .write("unlinking an OAuth identity", move |conn| {
                diesel::delete(
                    oauth_identities::table
                        .filter(oauth_identities::user_id.eq(user))
                        .filter(oauth_identities::provider.eq(provider.as_str())),
                )
                .execute(conn)
            })
            .await?;
        Ok(deleted > 0)
    }
}
