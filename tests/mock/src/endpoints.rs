//! Dedicated endpoints that keep state: created, listed, started, put to sleep, woken,
//! restarted, updated, terminated and deleted, as the API describes them.
//!
//! - `create` stores the endpoint and answers its status, as the API does: the answer carries
//!   no ID. `wandb_artifact_create` stores one too, and answers its ID. The IDs are `ep-mock-0001`, `ep-mock-0002`, … in the order of creation, and `list`
//!   gives the endpoints in that order, so a test finds the ID of the endpoint it created as the
//!   last key of the project's list (or with [`MockServer::endpoint_ids`]).
//! - A new endpoint is `INITIALIZING` and goes through the phases `REQUESTING_VIRTUAL_MACHINE`,
//!   `DOWNLOADING_MODEL` and `ENGINE_INITIALIZING`; it is `RUNNING` at the N-th status read
//!   (`get_status`) after its start, N being [`MockConfig::endpoint_start_polls`] (3 by
//!   default; 0 starts it at once). `wake` (`AWAKING`), `restart` (`INITIALIZING`) and `update`
//!   of a running endpoint (`UPDATING`, still serving) take as many reads. `sleep` makes it
//!   `SLEEPING` at once; `terminate` makes it `TERMINATING`, then `TERMINATED` at the next
//!   read. `list` and `get` report the state without moving it.
//! - `get` gives the endpoint's specification, `update` changes it and adds a version,
//!   `get_version_history` pages over the versions, `delete` removes the endpoint (its ID then
//!   gets `404` everywhere).
//! - Dedicated inference (chat, completions, embeddings, …) whose `model` is an endpoint
//!   created here (`EP` or `EP:adapter`) is served only while it runs. An endpoint on its way up
//!   (`INITIALIZING`, `AWAKING`) answers `503`, and the request counts as one step of its start,
//!   as time passes for a real one (so that retries reach it running); a sleeping one is woken
//!   by the request, as the service does, and answers `503` too. A failed or terminated
//!   endpoint answers `400`: it does not start by itself. The API document does not describe
//!   these answers; the mock's are `{"message": …}` bodies naming the endpoint and its status.
//! - Waking or restarting a terminated endpoint, and sleeping it, answer `400`.
//!
//! Endpoint IDs the server did not issue get the answers generated from the document, as every
//! other operation does.
//!
//! [`MockServer::endpoint_ids`]: crate::MockServer::endpoint_ids
//! [`MockConfig::endpoint_start_polls`]: crate::MockConfig::endpoint_start_polls

use serde_json::{Value, json};

use crate::respond::Answer;

/// The phases of a start, in order.
const PHASES: [&str; 3] = [
    "REQUESTING_VIRTUAL_MACHINE",
    "DOWNLOADING_MODEL",
    "ENGINE_INITIALIZING",
];

/// The GPUs of the instance options the API lists (`instanceOptionId`): type and count.
const INSTANCE_OPTIONS: [(&str, &str, i64); 16] = [
    ("ShbPuOs4tfGb", "NVIDIA A100 80GB", 1),
    ("mrAHuYt7T40o", "NVIDIA A100 80GB", 2),
    ("JkNob0NMdoF3", "NVIDIA A100 80GB", 4),
    ("sYH4kHmAcA5P", "NVIDIA A100 80GB", 8),
    ("TwD5AqnBSVN0", "NVIDIA H100", 1),
    ("zfTutSiLn0Hq", "NVIDIA H100", 2),
    ("lfkRz5G48REc", "NVIDIA H100", 4),
    ("GUA4qYFmsYz8", "NVIDIA H100", 8),
    ("LnK1wTaKc7WO", "NVIDIA H200", 1),
    ("Tu6GjBnfHPe4", "NVIDIA H200", 2),
    ("OhTzYtZuomzI", "NVIDIA H200", 4),
    ("ahBzWtOuomsI", "NVIDIA H200", 8),
    ("8GiQTLKfJNOr", "NVIDIA B200", 1),
    ("brTZGIuYgVrs", "NVIDIA B200", 2),
    ("AFoZMFXZnAdD", "NVIDIA B200", 4),
    ("drbc6G9FxJWZ", "NVIDIA B200", 8),
];

/// Where an endpoint is going, and how many status reads it takes to get there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Transition {
    /// The status at the end.
    to: &'static str,
    /// Status reads (or refused requests) left.
    left: u32,
    /// Status reads the whole transition takes.
    total: u32,
    /// Whether the status reports start-up phases meanwhile.
    phases: bool,
}

#[derive(Debug, Clone)]
struct EndpointRecord {
    id: String,
    project_id: String,
    created: String,
    updated: String,
    status: &'static str,
    transition: Option<Transition>,
    /// The specification of each version, oldest first.
    versions: Vec<Value>,
}

impl EndpointRecord {
    fn status(&self) -> Value {
        let phase = self.transition.filter(|t| t.phases).map(|t| {
            let progress = t.total - t.left;
            PHASES[(progress as usize * PHASES.len() / t.total.max(1) as usize).min(2)]
        });
        json!({
            "status": self.status,
            "phase": phase,
            "errorCode": null,
            "createdAt": self.created,
            "updatedAt": self.updated,
        })
    }

    fn spec(&self) -> Value {
        let mut spec = self.versions.last().cloned().unwrap_or_else(|| json!({}));
        let replicas = i64::from(matches!(self.status, "RUNNING" | "UPDATING"));
        spec["currReplicaCnt"] = json!(replicas);
        spec["desiredReplicaCnt"] = json!(replicas);
        spec["updatedReplicaCnt"] = json!(replicas);
        spec
    }

    /// Starts a move to `to` over `steps` status reads (at once when `steps` is 0).
    fn start(&mut self, during: &'static str, to: &'static str, steps: u32, phases: bool) {
        if steps == 0 {
            self.status = to;
            self.transition = None;
        } else {
            self.status = during;
            self.transition = Some(Transition {
                to,
                left: steps,
                total: steps,
                phases,
            });
        }
    }

    /// One step of the transition under way, if any.
    fn step(&mut self) {
        if let Some(transition) = &mut self.transition {
            transition.left = transition.left.saturating_sub(1);
            if transition.left == 0 {
                self.status = transition.to;
                self.transition = None;
            }
        }
    }

    fn is_terminated(&self) -> bool {
        matches!(self.status, "TERMINATING" | "TERMINATED")
    }
}

/// The endpoints of one server.
#[derive(Debug, Default)]
pub(crate) struct Endpoints {
    /// Status reads a start takes (see the module docs).
    pub start_polls: u32,
    next: u32,
    records: Vec<EndpointRecord>,
    deleted: Vec<String>,
}

impl Endpoints {
    /// The IDs of the endpoints, in the order of creation.
    /// Stores a new endpoint made from the create request's body, starting.
    fn create(&mut self, request: &Request<'_>, steps: u32) -> &EndpointRecord {
        self.next += 1;
        let body = request.body;
        let mut record = EndpointRecord {
            id: format!("ep-mock-{:04}", self.next),
            project_id: body["projectId"].as_str().unwrap_or_default().to_owned(),
            created: request.now.clone(),
            updated: request.now.clone(),
            status: "INITIALIZING",
            transition: None,
            versions: vec![spec_of(body, &json!({}))],
        };
        record.start("INITIALIZING", "RUNNING", steps, true);
        self.records.push(record);
        self.records.last().expect("just pushed")
    }

    pub(crate) fn ids(&self) -> Vec<String> {
        self.records.iter().map(|r| r.id.clone()).collect()
    }

    fn find(&mut self, id: &str) -> Option<&mut EndpointRecord> {
        self.records.iter_mut().find(|r| r.id == id)
    }
}

/// What an endpoint operation needs from its request.
pub(crate) struct Request<'a> {
    /// The `operationId`.
    pub operation_id: &'a str,
    /// The path parameter `endpoint_id`, if any.
    pub endpoint_id: &'a str,
    /// The validated body.
    pub body: &'a Value,
    /// A query parameter.
    pub query: &'a dyn Fn(&str) -> Option<&'a str>,
    /// The time of the request, RFC 3339.
    pub now: String,
}

/// The answer of an endpoint operation; `None` for the operations and IDs answered from the
/// document.
pub(crate) fn answer(endpoints: &mut Endpoints, request: &Request<'_>) -> Option<Answer> {
    let ok = |body: Value| Some(Answer::Json(200, body));
    let id = request.endpoint_id;
    if !id.is_empty() && endpoints.deleted.iter().any(|d| d == id) {
        return Some(not_found(id));
    }
    let steps = endpoints.start_polls;
    match request.operation_id {
        "dedicatedCreateEndpoint" => ok(endpoints.create(request, steps).status()),
        "dedicatedEndpointWandbArtifactCreate" => {
            let record = endpoints.create(request, steps);
            let spec = record.spec();
            ok(json!({
                "endpointId": record.id,
                "endpointName": spec["name"],
                "projectId": record.project_id,
                "projectName": format!("project {}", record.project_id),
                "teamId": spec["teamId"],
                "teamName": "mock team",
            }))
        }
        "dedicatedListEndpoints" => {
            let project = (request.query)("project_id").unwrap_or_default();
            let listed: Vec<(String, Value)> = endpoints
                .records
                .iter()
                .filter(|r| project.is_empty() || r.project_id == project)
                .map(|r| (r.id.clone(), r.status()))
                .collect();
            keyed_page(listed, request.query)
        }
        "dedicatedGetEndpointStatus" => {
            let record = endpoints.find(id)?;
            record.step();
            ok(record.status())
        }
        "dedicatedGetEndpoint" => ok(endpoints.find(id)?.spec()),
        "dedicatedUpdateEndpoint" => {
            let record = endpoints.find(id)?;
            if record.is_terminated() {
                return Some(refuse(record, "update"));
            }
            let current = record.versions.last().cloned().unwrap_or_else(|| json!({}));
            record.versions.push(spec_of(request.body, &current));
            record.updated = request.now.clone();
            if record.status == "RUNNING" {
                record.start("UPDATING", "RUNNING", steps, false);
            }
            ok(record.spec())
        }
        "dedicatedGetEndpointVersionHistory" => {
            let record = endpoints.find(id)?;
            let versions: Vec<(String, Value)> = record
                .versions
                .iter()
                .enumerate()
                .map(|(i, spec)| (format!("v{:04}", i + 1), spec.clone()))
                .collect();
            keyed_page(versions, request.query)
        }
        "dedicatedDeleteEndpoint" => {
            endpoints.find(id)?;
            endpoints.records.retain(|r| r.id != id);
            endpoints.deleted.push(id.to_owned());
            ok(json!({}))
        }
        "dedicatedSleepEndpoint" => {
            let record = endpoints.find(id)?;
            if record.is_terminated() {
                return Some(refuse(record, "put to sleep"));
            }
            record.start("SLEEPING", "SLEEPING", 0, false);
            record.updated = request.now.clone();
            ok(record.status())
        }
        "dedicatedWakeEndpoint" => {
            let record = endpoints.find(id)?;
            match record.status {
                "SLEEPING" | "STOPPING" => {
                    record.start("AWAKING", "RUNNING", steps, true);
                    record.updated = request.now.clone();
                }
                "FAILED" | "TERMINATING" | "TERMINATED" => return Some(refuse(record, "woken")),
                _ => {}
            }
            ok(record.status())
        }
        "dedicatedRestartEndpoint" => {
            let record = endpoints.find(id)?;
            if record.is_terminated() {
                return Some(refuse(record, "restarted"));
            }
            record.start("INITIALIZING", "RUNNING", steps, true);
            record.updated = request.now.clone();
            ok(record.status())
        }
        "dedicatedTerminateEndpoint" => {
            let record = endpoints.find(id)?;
            if record.status != "TERMINATED" {
                record.start("TERMINATING", "TERMINATED", 1, false);
                record.updated = request.now.clone();
            }
            ok(record.status())
        }
        _ => None,
    }
}

/// The refusal of a dedicated inference request whose `model` names an endpoint created here
/// that is not running (see the module docs); `None` when the request may go on.
pub(crate) fn refuse_inference(endpoints: &mut Endpoints, model: &str) -> Option<Answer> {
    let id = model.split(':').next().unwrap_or(model);
    if endpoints.deleted.iter().any(|d| d == id) {
        return Some(not_found(id));
    }
    let steps = endpoints.start_polls;
    let record = endpoints.find(id)?;
    let was = summary(record);
    let (status, why) = match record.status {
        "RUNNING" | "UPDATING" => return None,
        "SLEEPING" | "STOPPING" => {
            record.start("AWAKING", "RUNNING", steps, true);
            (
                503,
                format!("this request wakes it: it is {} now", summary(record)),
            )
        }
        "FAILED" | "TERMINATING" | "TERMINATED" => (400, "it does not start by itself".to_owned()),
        _ => {
            record.step();
            (503, "poll its status until it is RUNNING".to_owned())
        }
    };
    Some(Answer::Json(
        status,
        json!({"message": format!(
            "friendli-mock: dedicated endpoint {id} is {was}, not RUNNING; {why}"
        )}),
    ))
}

/// `STATUS` or `STATUS (PHASE)`.
fn summary(record: &EndpointRecord) -> String {
    match record.status()["phase"].as_str() {
        Some(phase) => format!("{} ({phase})", record.status),
        None => record.status.to_owned(),
    }
}

fn refuse(record: &EndpointRecord, what: &str) -> Answer {
    Answer::Json(
        400,
        json!({"message": format!(
            "friendli-mock: dedicated endpoint {} is {} and cannot be {what}",
            record.id, record.status
        )}),
    )
}

fn not_found(id: &str) -> Answer {
    Answer::Json(
        404,
        json!({"message": format!("friendli-mock: dedicated endpoint {id} was deleted")}),
    )
}

/// The specification of a version: the fields of a create or update body over `current`.
fn spec_of(body: &Value, current: &Value) -> Value {
    let mut spec = if current.is_object() && !current.as_object().is_some_and(|o| o.is_empty()) {
        current.clone()
    } else {
        json!({
            "name": "",
            "gpuType": "NVIDIA H100",
            "numGpu": 1,
            "instanceId": null,
            "projectId": "",
            "creatorId": "mock-user",
            "teamId": "mock-team",
            "autoscalingMin": 0,
            "autoscalingMax": 1,
            "autoscalingCooldown": 300,
            "maxBatchSize": 256,
            "maxInputLength": null,
            "maxContextLength": null,
            "tokenizerSkipSpecialTokens": true,
            "tokenizerAddSpecialTokens": false,
        })
    };
    let set = |spec: &mut Value, key: &str, value: &Value| {
        if !value.is_null() {
            spec[key] = value.clone();
        }
    };
    set(&mut spec, "name", &body["name"]);
    set(&mut spec, "projectId", &body["projectId"]);
    if let Some(option) = body["instanceOptionId"].as_str() {
        let (gpu, count) = INSTANCE_OPTIONS
            .iter()
            .find(|(id, _, _)| *id == option)
            .map(|(_, gpu, count)| (*gpu, *count))
            .unwrap_or(("NVIDIA H100", 1));
        spec["instanceId"] = json!(option);
        spec["gpuType"] = json!(gpu);
        spec["numGpu"] = json!(count);
    }
    let advanced = &body["advanced"];
    set(&mut spec, "maxBatchSize", &advanced["max_batch_size"]);
    set(&mut spec, "maxInputLength", &advanced["max_input_length"]);
    set(
        &mut spec,
        "maxContextLength",
        &advanced["max_context_length"],
    );
    set(
        &mut spec,
        "tokenizerSkipSpecialTokens",
        &advanced["tokenizer_skip_special_tokens"],
    );
    set(
        &mut spec,
        "tokenizerAddSpecialTokens",
        &advanced["tokenizer_add_special_tokens"],
    );
    let policy = &body["autoscalingPolicy"];
    if policy.is_object() {
        spec["autoscalingMin"] = policy.get("minReplica").cloned().unwrap_or(json!(0));
        spec["autoscalingMax"] = policy.get("maxReplica").cloned().unwrap_or(json!(1));
        spec["autoscalingCooldown"] = policy.get("cooldownPeriod").cloned().unwrap_or(json!(300));
    }
    if let Some(replicas) = body.pointer("/simplescale/replicas") {
        spec["autoscalingMin"] = replicas.clone();
        spec["autoscalingMax"] = replicas.clone();
    }
    spec
}

/// One page of an object-shaped list (`{"data": {key: item}, "nextCursor"}`): see
/// [`crate::platform::page_bounds`] for `limit` and `cursor` (`None` for a cursor this list did
/// not give). The keys sort in the items' order, so the object lists them in that order.
fn keyed_page<'q>(
    items: Vec<(String, Value)>,
    query: &dyn Fn(&str) -> Option<&'q str>,
) -> Option<Answer> {
    let (start, end, next) = crate::platform::page_bounds(items.len(), query)?;
    let data: serde_json::Map<String, Value> =
        items.into_iter().skip(start).take(end - start).collect();
    Some(Answer::Json(200, json!({"data": data, "nextCursor": next})))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::operation;

    fn run(endpoints: &mut Endpoints, operation_id: &str, id: &str, body: Value) -> (u16, Value) {
        let query = |_: &str| None;
        let request = Request {
            operation_id,
            endpoint_id: id,
            body: &body,
            query: &query,
            now: "2026-01-01T00:00:01Z".to_owned(),
        };
        let Some(Answer::Json(status, body)) = answer(endpoints, &request) else {
            panic!("{operation_id}: no JSON answer");
        };
        if status == 200 {
            let violations = operation(operation_id).unwrap().validate_response(&body);
            assert!(
                violations.is_empty(),
                "{operation_id}: {violations:?}\n{body}"
            );
        }
        (status, body)
    }

    fn create_body() -> Value {
        json!({
            "projectId": "p", "name": "e", "instanceOptionId": "lfkRz5G48REc",
            "hfModelRepo": "org/model",
            "advanced": {"tokenizer_skip_special_tokens": true, "tokenizer_add_special_tokens": false},
            "autoscalingPolicy": {"minReplica": 0, "maxReplica": 2},
        })
    }

    #[test]
    fn an_endpoint_starts_over_the_configured_reads_through_every_phase() {
        let mut endpoints = Endpoints {
            start_polls: 5,
            ..Endpoints::default()
        };
        let (_, created) = run(&mut endpoints, "dedicatedCreateEndpoint", "", create_body());
        assert_eq!(created["status"], "INITIALIZING");
        assert_eq!(created["phase"], "REQUESTING_VIRTUAL_MACHINE");
        let id = endpoints.ids()[0].clone();
        assert_eq!(id, "ep-mock-0001");
        let mut seen = Vec::new();
        for _ in 0..6 {
            let (_, status) = run(
                &mut endpoints,
                "dedicatedGetEndpointStatus",
                &id,
                json!(null),
            );
            seen.push(format!("{} {}", status["status"], status["phase"]));
        }
        assert_eq!(
            seen,
            [
                r#""INITIALIZING" "REQUESTING_VIRTUAL_MACHINE""#,
                r#""INITIALIZING" "DOWNLOADING_MODEL""#,
                r#""INITIALIZING" "DOWNLOADING_MODEL""#,
                r#""INITIALIZING" "ENGINE_INITIALIZING""#,
                r#""RUNNING" null"#,
                r#""RUNNING" null"#,
            ]
        );
        let (_, spec) = run(&mut endpoints, "dedicatedGetEndpoint", &id, json!(null));
        assert_eq!(spec["gpuType"], "NVIDIA H100");
        assert_eq!(spec["numGpu"], 4);
        assert_eq!(spec["autoscalingMax"], 2);
        assert_eq!(spec["currReplicaCnt"], 1);
    }

    #[test]
    fn an_endpoint_made_from_a_wandb_artifact_is_stored_and_starts() {
        let mut endpoints = Endpoints {
            start_polls: 1,
            ..Endpoints::default()
        };
        let body = json!({"projectId": "p", "name": "w", "wandbArtifactVersionName": "e/p/a:v1"});
        let (status, created) = run(
            &mut endpoints,
            "dedicatedEndpointWandbArtifactCreate",
            "",
            body,
        );
        assert_eq!(status, 200);
        assert_eq!(created["endpointId"], "ep-mock-0001");
        assert_eq!(created["endpointName"], "w");
        assert_eq!(created["projectId"], "p");
        assert_eq!(endpoints.ids(), ["ep-mock-0001"]);
        let (_, status) = run(
            &mut endpoints,
            "dedicatedGetEndpointStatus",
            "ep-mock-0001",
            json!(null),
        );
        assert_eq!(status["status"], "RUNNING");
    }

    #[test]
    fn sleep_wake_restart_update_terminate_and_delete_change_the_state() {
        let mut endpoints = Endpoints {
            start_polls: 1,
            ..Endpoints::default()
        };
        run(&mut endpoints, "dedicatedCreateEndpoint", "", create_body());
        let id = &endpoints.ids()[0];
        let status = |endpoints: &mut Endpoints| {
            run(endpoints, "dedicatedGetEndpointStatus", id, json!(null)).1["status"].clone()
        };
        assert_eq!(status(&mut endpoints), "RUNNING");
        let (_, slept) = run(&mut endpoints, "dedicatedSleepEndpoint", id, json!(null));
        assert_eq!(slept["status"], "SLEEPING");
        // A request to a sleeping endpoint wakes it, and is refused meanwhile.
        let Some(Answer::Json(503, refusal)) =
            refuse_inference(&mut endpoints, &format!("{id}:lora"))
        else {
            panic!("not refused");
        };
        assert!(
            refusal["message"].as_str().unwrap().contains("SLEEPING"),
            "{refusal}"
        );
        assert_eq!(status(&mut endpoints), "RUNNING");
        assert!(refuse_inference(&mut endpoints, id).is_none());
        assert!(refuse_inference(&mut endpoints, "ep-unknown").is_none());
        let (_, woken) = run(&mut endpoints, "dedicatedWakeEndpoint", id, json!(null));
        assert_eq!(
            woken["status"], "RUNNING",
            "waking a running endpoint changes nothing"
        );
        let (_, restarted) = run(&mut endpoints, "dedicatedRestartEndpoint", id, json!(null));
        assert_eq!(restarted["status"], "INITIALIZING");
        assert_eq!(status(&mut endpoints), "RUNNING");
        let (_, spec) = run(
            &mut endpoints,
            "dedicatedUpdateEndpoint",
            id,
            json!({"name": "renamed", "simplescale": {"replicas": 3}}),
        );
        assert_eq!(
            (spec["name"].clone(), spec["autoscalingMax"].clone()),
            (json!("renamed"), json!(3))
        );
        assert_eq!(status(&mut endpoints), "RUNNING");
        let (_, history) = run(
            &mut endpoints,
            "dedicatedGetEndpointVersionHistory",
            id,
            json!(null),
        );
        let keys: Vec<&String> = history["data"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["v0001", "v0002"]);
        let (_, terminating) = run(
            &mut endpoints,
            "dedicatedTerminateEndpoint",
            id,
            json!(null),
        );
        assert_eq!(terminating["status"], "TERMINATING");
        assert_eq!(status(&mut endpoints), "TERMINATED");
        let (refused, _) = run(&mut endpoints, "dedicatedWakeEndpoint", id, json!(null));
        assert_eq!(refused, 400);
        assert!(matches!(
            refuse_inference(&mut endpoints, id),
            Some(Answer::Json(400, _))
        ));
        run(&mut endpoints, "dedicatedDeleteEndpoint", id, json!(null));
        assert!(endpoints.ids().is_empty());
        let (gone, _) = run(
            &mut endpoints,
            "dedicatedGetEndpointStatus",
            id,
            json!(null),
        );
        assert_eq!(gone, 404);
    }
}
