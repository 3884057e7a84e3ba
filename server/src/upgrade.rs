//! Steps the server takes once after a migration asked for them (table `upgrade_steps`): what
//! the new schema needs filled in from records, which only the model can read. Each step is
//! taken again whole if the server stopped half-way, so it must be safe to repeat.

use model::files;

use crate::Db;

/// Files began to be given out only through an attachment whose author holds them
/// (`model::files`). Before that, a person attaching a file the server had already sent
/// nothing, and a file received from the server was attached elsewhere without being sent:
/// whoever attached a file the server has whole before then holds it.
const ATTACHMENT_AUTHORS: &str = "attachment_authors_hold_their_files";

/// Takes every step a migration asked for and that is not taken yet.
pub async fn take_steps(db: &Db) -> anyhow::Result<()> {
    if db.upgrade_step_pending(ATTACHMENT_AUTHORS).await? {
        let mut given = 0;
        for attachment in db.all_records(files::ATTACHMENT_KIND).await? {
            if let (Some(author), Some(file)) = (attachment.owner, files::file_of(&attachment)) {
                db.file_given_to(author, &file.sha256).await?;
                given += 1;
            }
        }
        db.upgrade_step_done(ATTACHMENT_AUTHORS).await?;
        tracing::info!(
            attachments = given,
            "the authors of earlier attachments hold their files"
        );
    }
    Ok(())
}
