//! The platform operations that keep state: files, the storage server their presigned URLs point
//! at, and datasets with their splits and samples.
//!
//! - `init_upload` registers a file and answers a presigned `uploadUrl` on this server (the
//!   storage route [`STORAGE_PATH`], not part of the API document) with S3-style form fields.
//!   A file whose content the project already stores (same digest and size, completed) gets no
//!   `uploadUrl`: nothing needs to be sent.
//! - The storage route takes the multipart POST as S3 does: the issued fields must come back
//!   unchanged (no others), then the part `file` of the registered size; it keeps the bytes and
//!   answers `204`. Errors are S3's XML (`<Error><Code>AccessDenied</Code>…`). A request that
//!   carries an `Authorization` header is refused (`400`), as S3 refuses two kinds of
//!   credentials. `GET` on the route plus the key (the `downloadUrl`) gives the content back.
//! - `complete_upload` checks that the content arrived and matches the registered `sha256:`
//!   digest (`400` otherwise), and the file becomes `UPLOADED`; `get_info` and
//!   `get_download_url` report it.
//! - `create_dataset`, `create_split`, `add_samples`, `update_samples` (a JSON Lines file),
//!   `list_samples` (paged: `limit`, `cursor`, `direction`), `delete_samples`, and the gets,
//!   lists and deletes of datasets and splits work on what was created. Every sample must be a
//!   JSON object (`422` otherwise). Sample IDs are `DATASET:VERSION:SPLIT:N`, the version being
//!   [`SAMPLE_VERSION`] (the mock keeps no versions).
//!
//! IDs the server did not issue get the answer generated from the document, as every other
//! operation does, so that any request of the document's shape is answered.

use std::sync::Mutex;

use bytes::Bytes;
use serde_json::{Map, Value, json};

use crate::endpoints::{self, Endpoints};
use crate::multipart::{self, Part};
use crate::respond::{Answer, Inputs, Parsed};
use crate::spec::Operation;

/// The path of the mock's storage server, where the presigned URLs of `init_upload` point (not
/// a path of the API document).
pub const STORAGE_PATH: &str = "/_storage/";
/// The pseudo-operation the storage server's POSTs are recorded (and scripted, with
/// [`MockServer::push_for`](crate::MockServer::push_for)) under.
pub const STORAGE_UPLOAD: &str = "storageUpload";
/// The pseudo-operation the storage server's GETs (downloads) are recorded and scripted under.
pub const STORAGE_DOWNLOAD: &str = "storageDownload";
/// The version part of the sample IDs the mock gives.
pub const SAMPLE_VERSION: &str = "draft";
/// The bucket of the storage server.
const BUCKET: &str = "friendli-mock-uploads";
/// The clock of the platform records: 2026-01-01T00:00:00Z plus one second per request.
const EPOCH: u64 = 1_767_225_600;

/// What the mock's storage server received for a file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredFile {
    /// The `fileId` that `init_upload` gave.
    pub file_id: String,
    /// The object key.
    pub key: String,
    /// The form fields that came with the file, in order (the file part excluded).
    pub fields: Vec<(String, String)>,
    /// The file name of the file part.
    pub filename: Option<String>,
    /// The content type of the file part.
    pub content_type: Option<String>,
    /// The bytes of the file part.
    pub data: Bytes,
}

#[derive(Debug, Clone)]
struct FileRecord {
    id: String,
    name: String,
    size: i64,
    digest: String,
    project_id: String,
    created: u64,
    status: &'static str,
    key: String,
    fields: Vec<(String, String)>,
    stored: Option<StoredFile>,
}

impl FileRecord {
    fn info(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "size": self.size,
            "digest": self.digest,
            "projectId": self.project_id,
            "creatorId": "mock-user",
            "createdAt": rfc3339(self.created),
            "expiresAt": null,
            "status": self.status,
        })
    }
}

#[derive(Debug, Clone)]
struct DatasetRecord {
    id: String,
    name: String,
    project_id: String,
    modality: Value,
    created: u64,
    updated: u64,
    splits: Vec<SplitRecord>,
}

impl DatasetRecord {
    fn info(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "modality": self.modality,
            "createdAt": self.created,
            "updatedAt": self.updated,
        })
    }
}

#[derive(Debug, Clone)]
struct SplitRecord {
    id: String,
    name: String,
    created: u64,
    updated: u64,
    /// `(full ID, data)`.
    samples: Vec<(String, String)>,
    next_sample: u64,
}

impl SplitRecord {
    fn info(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "createdAt": self.created,
            "updatedAt": self.updated,
        })
    }
}

/// The state of the platform operations of one server.
#[derive(Debug, Default)]
pub(crate) struct Platform {
    next_id: u64,
    files: Vec<FileRecord>,
    datasets: Vec<DatasetRecord>,
    /// The dedicated endpoints (see [`crate::endpoints`]).
    pub endpoints: Endpoints,
}

impl Platform {
    /// The state of a new server whose endpoints start over `start_polls` status reads.
    pub(crate) fn new(start_polls: u32) -> Platform {
        let mut platform = Platform::default();
        platform.endpoints.start_polls = start_polls;
        platform
    }

    fn id(&mut self, kind: &str) -> String {
        self.next_id += 1;
        format!("{kind}-mock-{}", self.next_id)
    }

    fn file(&mut self, id: &str) -> Option<&mut FileRecord> {
        self.files.iter_mut().find(|f| f.id == id)
    }

    fn dataset(&mut self, id: &str) -> Option<&mut DatasetRecord> {
        self.datasets.iter_mut().find(|d| d.id == id)
    }

    fn split(&mut self, dataset_id: &str, split_id: &str) -> Option<&mut SplitRecord> {
        self.dataset(dataset_id)?
            .splits
            .iter_mut()
            .find(|s| s.id == split_id)
    }

    /// The content stored for a file.
    pub(crate) fn stored_file(&self, file_id: &str) -> Option<StoredFile> {
        self.files
            .iter()
            .find(|f| f.id == file_id)
            .and_then(|f| f.stored.clone())
    }

    /// The samples of a split.
    pub(crate) fn samples(&self, dataset_id: &str, split_id: &str) -> Vec<(String, String)> {
        self.datasets
            .iter()
            .find(|d| d.id == dataset_id)
            .and_then(|d| d.splits.iter().find(|s| s.id == split_id))
            .map(|s| s.samples.clone())
            .unwrap_or_default()
    }
}

fn lock(platform: &Mutex<Platform>) -> std::sync::MutexGuard<'_, Platform> {
    platform.lock().unwrap_or_else(|e| e.into_inner())
}

/// The answer of a platform operation that keeps state, to a validated request; `None` for the
/// operations (and unknown IDs) answered from the document.
pub(crate) fn answer(
    platform: &Mutex<Platform>,
    base_url: &str,
    operation: &Operation,
    request: &Value,
    inputs: &Inputs<'_>,
    number: u64,
) -> Option<Answer> {
    let mut state = lock(platform);
    let path = |name: &str| {
        inputs
            .path
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let query = |name: &str| {
        inputs
            .query
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let now = EPOCH + number;
    let ok = |body: Value| Some(Answer::Json(200, body));
    if is_dedicated_inference(operation)
        && let Some(model) = request["model"].as_str()
        && let Some(refusal) = endpoints::refuse_inference(&mut state.endpoints, model)
    {
        return Some(refusal);
    }
    if operation.path.starts_with("/dedicated/beta/endpoint") {
        let request = endpoints::Request {
            operation_id: &operation.operation_id,
            endpoint_id: path("endpoint_id"),
            body: request,
            query: &query,
            now: rfc3339(now),
        };
        return endpoints::answer(&mut state.endpoints, &request);
    }
    match operation.operation_id.as_str() {
        "init_upload" => Some(init_upload(&mut state, base_url, request, now)),
        "complete_upload" => complete_upload(state.file(path("file_id"))?),
        "get_info" => ok(state.file(path("file_id"))?.info()),
        "get_download_url" => {
            let file = state.file(path("file_id"))?;
            ok(json!({
                "fileId": file.id,
                "s3Uri": format!("s3://{BUCKET}/{}", file.key),
                "downloadUrl": format!(
                    "{base_url}{STORAGE_PATH}{BUCKET}/{}?X-Amz-Expires=3600&X-Amz-Signature={}",
                    encode_key(&file.key),
                    &hex(&sha256(file.key.as_bytes()))[..16]
                ),
            }))
        }
        "create_dataset" => {
            let id = state.id("dataset");
            let mut modality = request["modality"].clone();
            for side in ["input_modals", "output_modals"] {
                if modality.get(side).is_none() {
                    modality[side] = json!([]);
                }
            }
            let record = DatasetRecord {
                id,
                name: request["name"].as_str().unwrap_or_default().to_owned(),
                project_id: request["projectId"].as_str().unwrap_or_default().to_owned(),
                modality,
                created: now,
                updated: now,
                splits: Vec::new(),
            };
            let info = record.info();
            state.datasets.push(record);
            ok(info)
        }
        "get_dataset" => ok(state.dataset(path("dataset_id"))?.info()),
        "delete_dataset" => {
            let id = path("dataset_id");
            state.dataset(id)?;
            state.datasets.retain(|d| d.id != id);
            ok(json!({}))
        }
        "list_datasets" => {
            let project = query("projectId").unwrap_or_default();
            let search = query("nameSearch").map(str::to_lowercase);
            let found: Vec<Value> = state
                .datasets
                .iter()
                .filter(|d| d.project_id == project)
                .filter(|d| {
                    search
                        .as_ref()
                        .is_none_or(|s| d.name.to_lowercase().contains(s))
                })
                .map(DatasetRecord::info)
                .collect();
            page(found, &query, "data")
        }
        "create_split" => {
            let id = state.id("split");
            let dataset = state.dataset(path("dataset_id"))?;
            let split = SplitRecord {
                id,
                name: query("name").unwrap_or_default().to_owned(),
                created: now,
                updated: now,
                samples: Vec::new(),
                next_sample: 0,
            };
            let info = split.info();
            dataset.splits.push(split);
            dataset.updated = now;
            ok(info)
        }
        "get_split" => ok(state.split(path("dataset_id"), path("split_id"))?.info()),
        "delete_split" => {
            let split_id = path("split_id");
            let dataset = state.dataset(path("dataset_id"))?;
            dataset.splits.iter().find(|s| s.id == split_id)?;
            dataset.splits.retain(|s| s.id != split_id);
            ok(json!({}))
        }
        "list_splits" => {
            let splits: Vec<Value> = state
                .dataset(path("dataset_id"))?
                .splits
                .iter()
                .map(SplitRecord::info)
                .collect();
            page(splits, &query, "data")
        }
        "add_samples" => {
            let dataset_id = path("dataset_id").to_owned();
            let split = state.split(&dataset_id, path("split_id"))?;
            let mut texts = Vec::new();
            let mut problems = Vec::new();
            for (i, item) in request.as_array().into_iter().flatten().enumerate() {
                let text = item.as_str().unwrap_or_default();
                match sample_problem(text) {
                    Some(problem) => problems.push((json!(["body", i]), problem)),
                    None => texts.push(text.to_owned()),
                }
            }
            if !problems.is_empty() {
                return Some(invalid(&problems));
            }
            Some(add(&dataset_id, split, texts, now))
        }
        "upload_raw_samples" => {
            let dataset_id = path("dataset_id").to_owned();
            let split = state.split(&dataset_id, path("split_id"))?;
            let Parsed::Form(parts) = inputs.parsed else {
                return None;
            };
            let file = parts.iter().find(|p| p.name == "file")?;
            let text = String::from_utf8_lossy(&file.data);
            let mut texts = Vec::new();
            let mut problems = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim_end_matches('\r');
                if line.trim().is_empty() {
                    continue;
                }
                match sample_problem(line) {
                    Some(problem) => problems.push((
                        json!(["body", "file", i + 1]),
                        format!("line {}: {problem}", i + 1),
                    )),
                    None => texts.push(line.to_owned()),
                }
            }
            if !problems.is_empty() {
                return Some(invalid(&problems));
            }
            Some(add(&dataset_id, split, texts, now))
        }
        "list_samples" => {
            let split = state.split(path("dataset_id"), path("split_id"))?;
            let pairs: Vec<Value> = split
                .samples
                .iter()
                .map(|(id, data)| json!([id, data]))
                .collect();
            page(pairs, &query, "data")
        }
        "delete_samples" => {
            let split = state.split(path("dataset_id"), path("split_id"))?;
            let wanted: Vec<String> = request
                .as_array()
                .into_iter()
                .flatten()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            let mut removed = Vec::new();
            split.samples.retain(|(id, _)| {
                let short = id.rsplit(':').next().unwrap_or(id);
                let hit = wanted.iter().any(|w| w == id || w == short);
                if hit {
                    removed.push(id.clone());
                }
                !hit
            });
            split.updated = now;
            ok(json!({"sampleIds": removed}))
        }
        _ => None,
    }
}

/// Registers a file: a presigned POST to the storage route, or nothing to send when the project
/// already stores this content.
fn init_upload(state: &mut Platform, base_url: &str, request: &Value, now: u64) -> Answer {
    let id = state.id("file");
    let name = request["name"].as_str().unwrap_or_default().to_owned();
    let size = request["size"].as_i64().unwrap_or_default();
    let digest = request["digest"].as_str().unwrap_or_default().to_owned();
    let project_id = request["projectId"].as_str().unwrap_or_default().to_owned();
    let key = format!("uploads/{id}/{name}");
    let known = state
        .files
        .iter()
        .find(|f| {
            f.status == "UPLOADED"
                && f.project_id == project_id
                && f.size == size
                && f.digest.eq_ignore_ascii_case(&digest)
        })
        .and_then(|f| f.stored.clone());
    let mut record = FileRecord {
        id: id.clone(),
        name,
        size,
        digest,
        project_id,
        created: now,
        status: "UPLOADING",
        key: key.clone(),
        fields: Vec::new(),
        stored: None,
    };
    if let Some(stored) = known {
        record.status = "UPLOADED";
        record.stored = Some(StoredFile {
            file_id: id.clone(),
            key,
            ..stored
        });
        state.files.push(record);
        return Answer::Json(200, json!({"fileId": id, "uploadUrl": null, "aws": null}));
    }
    let date = compact_date(now);
    let policy = base64(
        json!({
            "expiration": rfc3339(now + 3600),
            "conditions": [
                {"bucket": BUCKET},
                {"key": key},
                ["content-length-range", size, size],
            ],
        })
        .to_string()
        .as_bytes(),
    );
    let signature = hex(&sha256(format!("{policy}{id}").as_bytes()));
    record.fields = vec![
        ("key".to_owned(), key),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        (
            "x-amz-credential".to_owned(),
            format!("MOCKACCESSKEYID/{}/us-east-1/s3/aws4_request", &date[..8]),
        ),
        ("x-amz-date".to_owned(), date),
        ("policy".to_owned(), policy),
        ("x-amz-signature".to_owned(), signature),
    ];
    let aws: Map<String, Value> = record
        .fields
        .iter()
        .map(|(n, v)| (n.clone(), json!(v)))
        .collect();
    state.files.push(record);
    Answer::Json(
        200,
        json!({
            "fileId": id,
            "uploadUrl": format!("{base_url}{STORAGE_PATH}{BUCKET}"),
            "aws": aws,
        }),
    )
}

/// Completes an upload whose content arrived and matches its digest.
fn complete_upload(file: &mut FileRecord) -> Option<Answer> {
    let Some(stored) = &file.stored else {
        return Some(Answer::Json(
            400,
            json!({"message": format!(
                "friendli-mock: nothing was uploaded for file {}: POST its content to the uploadUrl of init_upload first",
                file.id
            )}),
        ));
    };
    if let Some(expected) = file.digest.strip_prefix("sha256:") {
        let actual = hex(&sha256(&stored.data));
        if !expected.eq_ignore_ascii_case(&actual) {
            file.status = "FAILED";
            return Some(Answer::Json(
                400,
                json!({"message": format!(
                    "friendli-mock: the content of file {} has the digest sha256:{actual}, not the registered {}",
                    file.id, file.digest
                )}),
            ));
        }
    }
    file.status = "UPLOADED";
    Some(Answer::Json(200, file.info()))
}

/// Why a sample's text is not a sample, if it is not.
fn sample_problem(text: &str) -> Option<String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => None,
        Ok(other) => Some(format!("a sample must be a JSON object, not {other}")),
        Err(error) => Some(format!("a sample must be JSON text: {error}")),
    }
}

fn invalid(problems: &[(Value, String)]) -> Answer {
    let detail: Vec<Value> = problems
        .iter()
        .map(|(loc, msg)| json!({"loc": loc, "msg": msg, "type": "value_error"}))
        .collect();
    Answer::Json(
        422,
        json!({"message": format!("invalid request: {}", problems[0].1), "detail": detail}),
    )
}

/// Appends samples to a split; the answer lists them with their full IDs.
fn add(dataset_id: &str, split: &mut SplitRecord, texts: Vec<String>, now: u64) -> Answer {
    let mut added = Vec::new();
    for text in texts {
        split.next_sample += 1;
        let id = format!(
            "{dataset_id}:{SAMPLE_VERSION}:{}:{}",
            split.id, split.next_sample
        );
        added.push(json!([id, text]));
        split.samples.push((id, text));
    }
    split.updated = now;
    Answer::Json(200, json!({"samples": added}))
}

/// One page of a list: `limit` (default 20), `cursor` (the offset the previous page gave),
/// `direction` (`asc` or `desc`). `None` for a cursor this list did not give.
fn page<'q>(
    mut items: Vec<Value>,
    query: &dyn Fn(&str) -> Option<&'q str>,
    field: &str,
) -> Option<Answer> {
    if query("direction") == Some("desc") {
        items.reverse();
    }
    let (start, end, next) = page_bounds(items.len(), query)?;
    let mut body = Map::new();
    body.insert(field.to_owned(), Value::Array(items[start..end].to_vec()));
    body.insert("nextCursor".to_owned(), json!(next));
    Some(Answer::Json(200, Value::Object(body)))
}

/// The items `start..end` of a list of `len` that the page asked for with `limit` (default 20,
/// at most 100) and `cursor` (none: the first page), and the cursor of the next page (`None`
/// on the last page). The cursor is the offset of the page's first item; `None` for a cursor
/// this server did not give (not an offset within the list), which the document answers, as
/// for an ID the server did not issue.
pub(crate) fn page_bounds<'q>(
    len: usize,
    query: &dyn Fn(&str) -> Option<&'q str>,
) -> Option<(usize, usize, Option<String>)> {
    let limit = query("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 100);
    let start = match query("cursor").filter(|c| !c.is_empty()) {
        None => 0,
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|offset| *offset <= len)?,
    };
    let end = (start + limit).min(len);
    let next = (end < len).then(|| end.to_string());
    Some((start, end, next))
}

/// Whether an operation is dedicated inference, whose `model` is an endpoint ID.
fn is_dedicated_inference(operation: &Operation) -> bool {
    operation.path.starts_with("/dedicated/v1/") || operation.path == "/dedicated/classify"
}

/// What the storage route answers.
pub(crate) struct StorageAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl StorageAnswer {
    fn error(status: u16, code: &str, message: &str) -> StorageAnswer {
        let escape = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        StorageAnswer {
            status,
            content_type: Some("application/xml".to_owned()),
            headers: Vec::new(),
            body: Bytes::from(format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
                escape(message)
            )),
        }
    }
}

/// The storage route: the presigned POST of an upload, or the GET of stored content.
pub(crate) fn storage(
    platform: &Mutex<Platform>,
    method: &str,
    path: &str,
    headers: &hyper::HeaderMap,
    body: &[u8],
) -> StorageAnswer {
    let rest = path.strip_prefix(STORAGE_PATH).unwrap_or_default();
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket != BUCKET {
        return StorageAnswer::error(404, "NoSuchBucket", "The specified bucket does not exist");
    }
    match (method, key) {
        ("POST", "") => post(platform, headers, body),
        ("GET" | "HEAD", key) if !key.is_empty() => {
            let key = decode_key(key);
            let state = lock(platform);
            match state
                .files
                .iter()
                .filter_map(|f| f.stored.as_ref())
                .find(|s| s.key == key)
            {
                Some(stored) => StorageAnswer {
                    status: 200,
                    content_type: Some(
                        stored
                            .content_type
                            .clone()
                            .unwrap_or_else(|| "application/octet-stream".to_owned()),
                    ),
                    headers: Vec::new(),
                    body: stored.data.clone(),
                },
                None => StorageAnswer::error(404, "NoSuchKey", "The specified key does not exist."),
            }
        }
        _ => StorageAnswer::error(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        ),
    }
}

/// The presigned POST: S3's checks, then the bytes are kept.
fn post(platform: &Mutex<Platform>, headers: &hyper::HeaderMap, body: &[u8]) -> StorageAnswer {
    if headers.contains_key(hyper::header::AUTHORIZATION) {
        return StorageAnswer::error(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm form field or the Authorization header should be specified",
        );
    }
    let content_type = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if multipart::boundary(content_type).is_none() {
        return StorageAnswer::error(
            412,
            "PreconditionFailed",
            "Bucket POST must be of the enclosure-type multipart/form-data",
        );
    }
    let parts = match multipart::parse(content_type, body) {
        Ok(parts) => parts,
        Err(error) => {
            return StorageAnswer::error(
                400,
                "MalformedPOSTRequest",
                &format!(
                    "The body of your POST request is not well-formed multipart/form-data: {error}"
                ),
            );
        }
    };
    let files: Vec<usize> = parts
        .iter()
        .enumerate()
        .filter(|(_, p)| p.name.eq_ignore_ascii_case("file"))
        .map(|(i, _)| i)
        .collect();
    let &[file_index] = files.as_slice() else {
        return StorageAnswer::error(
            400,
            "InvalidArgument",
            "POST requires exactly one file upload per request.",
        );
    };
    // Fields after the file are ignored, as S3 does: the policy then misses them.
    let fields: Vec<(String, String)> = parts[..file_index]
        .iter()
        .map(|p| (p.name.clone(), p.text_value()))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let Some(key) = field("key") else {
        return StorageAnswer::error(
            400,
            "InvalidArgument",
            "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
        );
    };
    let mut state = lock(platform);
    let Some(record) = state.files.iter_mut().find(|f| f.key == key) else {
        return StorageAnswer::error(
            403,
            "AccessDenied",
            &format!(
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"{key}\"]"
            ),
        );
    };
    for (name, value) in &record.fields {
        if field(name) != Some(value.as_str()) {
            return StorageAnswer::error(
                403,
                "AccessDenied",
                &format!(
                    "Invalid according to Policy: Policy Condition failed: [\"eq\", \"${name}\", \"{value}\"]"
                ),
            );
        }
    }
    if let Some((extra, _)) = fields.iter().find(|(n, _)| {
        !record
            .fields
            .iter()
            .any(|(issued, _)| issued.eq_ignore_ascii_case(n))
    }) {
        return StorageAnswer::error(
            403,
            "AccessDenied",
            &format!("Invalid according to Policy: Extra input fields: {extra}"),
        );
    }
    let file: &Part = &parts[file_index];
    let size = file.data.len() as i64;
    if size < record.size {
        return StorageAnswer::error(
            400,
            "EntityTooSmall",
            &format!(
                "Your proposed upload is smaller than the minimum allowed size ({size} < {})",
                record.size
            ),
        );
    }
    if size > record.size {
        return StorageAnswer::error(
            400,
            "EntityTooLarge",
            &format!(
                "Your proposed upload exceeds the maximum allowed size ({size} > {})",
                record.size
            ),
        );
    }
    let etag = format!("\"{}\"", &hex(&sha256(&file.data))[..32]);
    record.stored = Some(StoredFile {
        file_id: record.id.clone(),
        key: record.key.clone(),
        fields,
        filename: file.filename.clone(),
        content_type: file.content_type.clone(),
        data: Bytes::from(file.data.clone()),
    });
    StorageAnswer {
        status: 204,
        content_type: None,
        headers: vec![("etag".to_owned(), etag)],
        body: Bytes::new(),
    }
}

/// A key in a URL path: every byte but unreserved characters and `/` percent-encoded.
fn encode_key(key: &str) -> String {
    let mut out = String::new();
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn decode_key(key: &str) -> String {
    let bytes = key.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(byte) = key
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the Unix epoch.
fn rfc3339(seconds: u64) -> String {
    let (year, month, day) = civil(seconds / 86_400);
    let rest = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// `YYYYMMDDTHHMMSSZ` (the form of `x-amz-date`).
fn compact_date(seconds: u64) -> String {
    rfc3339(seconds).replace(['-', ':'], "")
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: u64) -> (i64, u64, u64) {
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let month = (if mp < 10 { mp + 3 } else { mp - 9 }) as u64;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// SHA-256 (FIPS 180-4), to check the digests uploads are registered with.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut state: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    let bits = (data.len() as u64).wrapping_mul(8);
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&bits.to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
            *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = state;
        for (k, w) in K.iter().zip(w) {
            let t1 = h
                .wrapping_add(e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25))
                .wrapping_add((e & f) ^ (!e & g))
                .wrapping_add(*k)
                .wrapping_add(w);
            let t2 = (a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22))
                .wrapping_add((a & b) ^ (a & c) ^ (b & c));
            h = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (word, value) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
            *word = word.wrapping_add(value);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(state) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::operation;

    #[test]
    fn the_helpers_agree_with_known_values() {
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        assert_eq!(rfc3339(EPOCH), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400 + 86_399), "2000-02-29T23:59:59Z");
        assert_eq!(compact_date(EPOCH + 61), "20260101T000101Z");
        assert_eq!(
            decode_key(&encode_key("uploads/f 1/ä.txt")),
            "uploads/f 1/ä.txt"
        );
    }

    #[test]
    fn pages_follow_the_cursors_they_give_and_leave_others_to_the_document() {
        let bounds = |limit: &str, cursor: Option<&str>| {
            let query = |name: &str| match name {
                "limit" => Some(limit),
                "cursor" => cursor,
                _ => None,
            };
            page_bounds(5, &query)
        };
        assert_eq!(bounds("2", None), Some((0, 2, Some("2".to_owned()))));
        assert_eq!(bounds("2", Some("2")), Some((2, 4, Some("4".to_owned()))));
        assert_eq!(bounds("2", Some("4")), Some((4, 5, None)), "the last page");
        assert_eq!(bounds("200", None), Some((0, 5, None)));
        assert_eq!(bounds("2", Some("6")), None);
        assert_eq!(bounds("2", Some("eyJvZmZzZXQiOiAyMH0=")), None);
    }

    #[test]
    fn the_answers_are_valid_against_the_document() {
        let platform = Mutex::new(Platform::default());
        let headers = hyper::HeaderMap::new();
        let run = |id: &str, path: &[(&str, &str)], query: &[(&str, &str)], request: Value| {
            let path: Vec<(String, String)> = path
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            let query: Vec<(String, String)> = query
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            let parsed = Parsed::Empty;
            let inputs = Inputs {
                path: &path,
                query: &query,
                headers: &headers,
                parsed: &parsed,
            };
            let operation = operation(id).unwrap();
            let Some(Answer::Json(status, body)) =
                answer(&platform, "http://mock", operation, &request, &inputs, 1)
            else {
                panic!("{id}: no JSON answer");
            };
            if status == 200 {
                let violations = operation.validate_response(&body);
                assert!(violations.is_empty(), "{id}: {violations:?}\n{body}");
            }
            (status, body)
        };
        let (_, started) = run(
            "init_upload",
            &[],
            &[],
            json!({"name": "a.txt", "size": 3, "digest": format!("sha256:{}", hex(&sha256(b"abc"))), "projectId": "p"}),
        );
        let file_id = started["fileId"].as_str().unwrap().to_owned();
        assert_eq!(
            started["uploadUrl"],
            json!(format!("http://mock{STORAGE_PATH}{BUCKET}"))
        );
        let (status, _) = run(
            "complete_upload",
            &[("file_id", &file_id)],
            &[],
            json!(null),
        );
        assert_eq!(status, 400, "nothing uploaded yet");
        run("get_info", &[("file_id", &file_id)], &[], json!(null));
        run(
            "get_download_url",
            &[("file_id", &file_id)],
            &[],
            json!(null),
        );
        let (_, dataset) = run(
            "create_dataset",
            &[],
            &[],
            json!({"name": "d", "projectId": "p", "modality": {"input_modals": ["TEXT"]}}),
        );
        let dataset_id = dataset["id"].as_str().unwrap().to_owned();
        let (_, split) = run(
            "create_split",
            &[("dataset_id", &dataset_id)],
            &[("name", "train")],
            json!(null),
        );
        let split_id = split["id"].as_str().unwrap().to_owned();
        let ids = [("dataset_id", dataset_id.as_str()), ("split_id", &split_id)];
        let (_, added) = run(
            "add_samples",
            &ids,
            &[],
            json!([
                "{\"messages\": []}",
                "{\"messages\": [1]}",
                "{\"messages\": [2]}"
            ]),
        );
        assert_eq!(
            added["samples"][0][0],
            json!(format!("{dataset_id}:{SAMPLE_VERSION}:{split_id}:1"))
        );
        let (status, refused) = run("add_samples", &ids, &[], json!(["[1]", "{"]));
        assert_eq!(status, 422);
        assert_eq!(refused["detail"][1]["loc"], json!(["body", 1]));
        let (_, listed) = run("list_samples", &ids, &[("limit", "2")], json!(null));
        assert_eq!(listed["data"].as_array().unwrap().len(), 2);
        assert_eq!(listed["nextCursor"], json!("2"));
        let (_, rest) = run(
            "list_samples",
            &ids,
            &[("limit", "2"), ("cursor", "2")],
            json!(null),
        );
        assert_eq!(rest["data"][0][1], json!("{\"messages\": [2]}"));
        assert_eq!(rest["nextCursor"], json!(null));
        let (_, deleted) = run("delete_samples", &ids, &[], json!(["1", 3]));
        assert_eq!(deleted["sampleIds"].as_array().unwrap().len(), 2);
        assert_eq!(lock(&platform).samples(&dataset_id, &split_id).len(), 1);
        run(
            "list_splits",
            &[("dataset_id", &dataset_id)],
            &[],
            json!(null),
        );
        run("list_datasets", &[], &[("projectId", "p")], json!(null));
        run("get_split", &ids, &[], json!(null));
        run(
            "get_dataset",
            &[("dataset_id", &dataset_id)],
            &[],
            json!(null),
        );
    }
}
