//! The one error type of the generator, with whose fault each variant is.

use std::path::PathBuf;

/// Why [`generate`](crate::generate) failed.
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The caller's input: an option is out of the range the generator can produce.
    #[error("invalid option `{field}`: {reason}")]
    InvalidOption {
        /// The [`GenOptions`](crate::GenOptions) field at fault.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// An outside system: the file system refused a read, write, rename or removal.
    #[error("file system error at {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Our bug (or a full disk surfacing through the encoder): a table could not be encoded as
    /// Parquet, e.g. because the arrays and the schema disagree.
    #[error("cannot write Parquet file {path}: {source}")]
    Parquet {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// Our bug: a record batch did not match its schema.
    #[error("cannot build a batch of table `{table}`: {source}")]
    Arrow {
        /// The table being built.
        table: &'static str,
        /// The underlying error.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// Our bug: the tenant list could not be serialised.
    #[error("cannot serialise tenants.json: {0}")]
    Json(#[from] serde_json::Error),
}

impl GenError {
    /// Wraps an IO error with the path it happened at.
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
