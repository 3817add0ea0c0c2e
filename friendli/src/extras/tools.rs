//! Local function tools and the conversation loop that runs them.
//!
//! Built-in tools run on the Friendli server. `function` tools come back to the caller as
//! `tool_calls`: the program runs them and sends the results back in `tool` messages, until the
//! model answers. [`Tools`] holds the functions of a program (name, description, an arguments
//! type whose JSON Schema is derived with schemars, and an async handler), and `run()` runs the
//! whole loop, on every chat operation: serverless, dedicated and container chat completions and
//! tool-assisted chat.
//!
//! ```no_run
//! # async fn example(client: friendli::Client) -> friendli::Result<()> {
//! use friendli::prelude::*;
//! use friendli::tools::Tools;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Weather {
//!     /// City name.
//!     city: String,
//! }
//!
//! let tools = Tools::new().register("get_weather", "Current weather of a city", |args: Weather| async move {
//!     Ok::<_, std::convert::Infallible>(serde_json::json!({"city": args.city, "celsius": 21}))
//! });
//! let request = ToolAssistedChatRequest::builder()
//!     .model("meta-llama-3.1-8b-instruct")
//!     .messages(vec![Message::user("What's the weather in Seoul? Use get_weather.")]);
//! let run = client.serverless().tool_assisted_chat().run(request, &tools).max_turns(4).await?;
//! println!("{:?} after {} turns", run.result.content(), run.turns);
//! # Ok(()) }
//! ```
//!
//! Calls that arrive in one turn run concurrently. Failures are explicit: an unknown function,
//! arguments that do not match the handler's type, a handler error and the turn limit each fail
//! the run with [`Error::Tool`], unless [`RunCall::report_tool_errors`] asks for the failure to
//! be sent to the model as the call's result instead (the local analogue of the server's
//! `resume_generation`).

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use futures::{FutureExt, Stream, StreamExt};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::core::call::{Call, call_options};
use crate::core::client::Client;
pub use crate::core::error::ToolError;
use crate::core::error::{Error, Result};
use crate::core::operation::{Events, Json, Operation};
use crate::extras::chat::{ChatAccumulator, ChatEvent};
use crate::extras::ext::{ChatResultExt, MessageExt, parameters_schema};
use crate::stream::UnknownEvent;
#[cfg(feature = "serverless")]
use crate::types::ToolStatusData;
use crate::types::{
    ChatResult, FinishReason, FinishReasonKnown, Message, StreamedChatData, ToolCall,
};

/// The default most model turns of a run.
pub const DEFAULT_MAX_TURNS: u32 = 8;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
type Handler = Arc<
    dyn Fn(Value) -> BoxFuture<'static, std::result::Result<String, HandlerFailure>> + Send + Sync,
>;

enum HandlerFailure {
    Arguments(serde_json::Error),
    Failed(BoxError),
    Output(serde_json::Error),
}

#[derive(Clone)]
struct Entry {
    description: String,
    parameters: Map<String, Value>,
    handler: Handler,
}

/// The local functions a program offers the model.
#[derive(Clone, Default)]
pub struct Tools {
    entries: BTreeMap<String, Entry>,
}

impl fmt::Debug for Tools {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tools")
            .field("functions", &self.entries.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Tools {
    /// No functions.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a function. Its arguments are decoded into `Args`, whose JSON Schema (derived with
    /// schemars) is what the model sees: the doc comment of `Args` and of each field becomes the
    /// schema's description, which the model reads, so write them for it. The handler is an async
    /// closure over one `Args` value; its output is sent to the model as the call's result: a
    /// string as it is, anything else as JSON. A function registered twice keeps the last
    /// handler.
    ///
    /// ```
    /// use friendli::tools::Tools;
    ///
    /// /// Converts an amount between currencies.
    /// #[derive(serde::Deserialize, friendli::schemars::JsonSchema)]
    /// #[schemars(crate = "friendli::schemars")]
    /// struct Convert {
    ///     /// The amount to convert, e.g. 12.5.
    ///     amount: f64,
    ///     /// ISO 4217 code of the target currency, e.g. "KRW".
    ///     to: String,
    /// }
    ///
    /// let tools = Tools::new().register("convert", "Converts money", |args: Convert| async move {
    ///     if args.to != "KRW" {
    ///         return Err(format!("no rate for {}", args.to));
    ///     }
    ///     Ok(serde_json::json!({"amount": args.amount * 1400.0, "currency": "KRW"}))
    /// });
    /// assert!(tools.contains("convert"));
    /// ```
    pub fn register<Args, F, Fut, R, E>(
        mut self,
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        Args: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Args) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = std::result::Result<R, E>> + Send + 'static,
        R: Serialize,
        E: Into<BoxError>,
    {
        let handler = Arc::new(handler);
        let erased: Handler = Arc::new(move |arguments: Value| {
            let handler = Arc::clone(&handler);
            async move {
                let args: Args =
                    serde_json::from_value(arguments).map_err(HandlerFailure::Arguments)?;
                let output = handler(args)
                    .await
                    .map_err(|e| HandlerFailure::Failed(e.into()))?;
                match serde_json::to_value(output).map_err(HandlerFailure::Output)? {
                    Value::String(text) => Ok(text),
                    other => Ok(other.to_string()),
                }
            }
            .boxed()
        });
        self.entries.insert(
            name.into(),
            Entry {
                description: description.into(),
                parameters: parameters_schema::<Args>(),
                handler: erased,
            },
        );
        self
    }

    /// Whether a function of this name is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The names of the registered functions.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The `function` tool declarations of the registered functions, as tools of type `T` (the
    /// tool type of a chat request: `ToolAssistedChatTool` or `Tool`).
    pub fn declarations<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        self.entries
            .iter()
            .map(|(name, entry)| {
                crate::extras::ext::function_tool(
                    name.clone(),
                    entry.description.clone(),
                    entry.parameters.clone(),
                )
            })
            .collect()
    }

    /// Adds the declarations to a request's `tools`, unless a function of the same name is
    /// already declared there.
    pub fn declare_in<T: DeserializeOwned + Serialize>(
        &self,
        tools: &mut Option<Vec<T>>,
    ) -> Result<()> {
        let declared: Vec<String> = tools
            .iter()
            .flatten()
            .filter_map(|tool| {
                let value = serde_json::to_value(tool).ok()?;
                (value.get("type")? == "function")
                    .then(|| value.pointer("/function/name")?.as_str().map(str::to_owned))
                    .flatten()
            })
            .collect();
        let list = tools.get_or_insert_with(Vec::new);
        for (name, declaration) in self.entries.keys().zip(self.declarations::<T>()?) {
            if !declared.contains(name) {
                list.push(declaration);
            }
        }
        Ok(())
    }

    /// Runs one call: decodes its arguments, runs the handler, returns the result text.
    pub async fn call(&self, call: &ToolCall) -> std::result::Result<String, ToolError> {
        let name = &call.function.name;
        let Some(entry) = self.entries.get(name) else {
            return Err(ToolError::UnknownFunction {
                call_id: call.id.clone(),
                name: name.clone(),
                known: self.entries.keys().cloned().collect(),
            });
        };
        let raw = &call.function.arguments;
        let arguments: Value = if raw.trim().is_empty() {
            json!({})
        } else {
            serde_json::from_str(raw).map_err(|source| ToolError::InvalidArguments {
                call_id: call.id.clone(),
                name: name.clone(),
                arguments: raw.clone(),
                source,
            })?
        };
        (entry.handler)(arguments)
            .await
            .map_err(|failure| match failure {
                HandlerFailure::Arguments(source) => ToolError::InvalidArguments {
                    call_id: call.id.clone(),
                    name: name.clone(),
                    arguments: raw.clone(),
                    source,
                },
                HandlerFailure::Failed(source) => ToolError::Failed {
                    call_id: call.id.clone(),
                    name: name.clone(),
                    source,
                },
                HandlerFailure::Output(source) => ToolError::Failed {
                    call_id: call.id.clone(),
                    name: name.clone(),
                    source: Box::new(source),
                },
            })
    }
}

/// A chat operation the local tool loop can drive: its stream twin, and where its body keeps the
/// conversation and the tools. Implemented for the chat completions of the serverless,
/// dedicated and container APIs and for tool-assisted chat.
pub trait ChatLoop: Operation<Response = Json<ChatResult>> + Copy + Default {
    /// The event-stream twin, which takes the same body.
    type Stream: Operation<Body = Self::Body, Response = Events<Self::Event>> + Copy + Default;
    /// The events of the stream.
    type Event: ChatEvent;
    /// The conversation of a request.
    fn messages(body: &mut Self::Body) -> &mut Vec<Message>;
    /// Adds the declarations of `tools` to a request.
    fn declare(body: &mut Self::Body, tools: &Tools) -> Result<()>;
}

macro_rules! chat_loops {
    ($($feature:literal: $complete:ident, $stream:ident, $event:ident;)*) => {
        $(
            #[cfg(feature = $feature)]
            impl ChatLoop for crate::operations::$complete {
                type Stream = crate::operations::$stream;
                type Event = crate::events::$event;

                fn messages(body: &mut Self::Body) -> &mut Vec<Message> {
                    &mut body.messages
                }

                fn declare(body: &mut Self::Body, tools: &Tools) -> Result<()> {
                    tools.declare_in(&mut body.tools)
                }
            }
        )*
    };
}

chat_loops! {
    "serverless": ServerlessToolAssistedChatComplete, ServerlessToolAssistedChatStream, ToolAssistedChatEvent;
    "serverless": ServerlessChatComplete, ServerlessChatStream, ChatStreamEvent;
    "dedicated": DedicatedChatComplete, DedicatedChatStream, ChatStreamEvent;
    "container": ContainerChatComplete, ContainerChatStream, ChatStreamEvent;
}

/// `run()` on the chat namespaces of the async and the blocking client.
macro_rules! run_methods {
    ($($feature:literal: $namespace:ident, $complete:ident, $body:ident;)*) => {
        $(
            #[cfg(feature = $feature)]
            impl<'c> crate::namespaces::$namespace<'c, Client> {
                /// Runs the conversation loop with local function tools: sends the request (with
                /// the declarations of `tools` added), runs the functions the model calls, sends
                /// the results back, and repeats until the model answers or the turn limit is
                /// reached. Await it for the [`RunResult`], or stream it with
                /// [`RunCall::into_stream`]. Per-call options apply to every turn.
                pub fn run<'t, R>(&self, request: R, tools: &'t Tools) -> RunCall<'c, 't, crate::operations::$complete>
                where
                    R: TryInto<crate::types::$body>,
                    R::Error: fmt::Display,
                {
                    RunCall::new(self.client().call(crate::operations::$complete, request), tools)
                }
            }

            #[cfg(all(feature = $feature, feature = "blocking"))]
            impl<'c> crate::namespaces::$namespace<'c, crate::blocking::Client> {
                /// The conversation loop with local function tools (see the async client's
                /// `run`); finish it with `send()`.
                pub fn run<'t, R>(&self, request: R, tools: &'t Tools) -> crate::blocking::Blocking<'c, RunCall<'c, 't, crate::operations::$complete>>
                where
                    R: TryInto<crate::types::$body>,
                    R::Error: fmt::Display,
                {
                    let client = self.client();
                    client.wrap(RunCall::new(client.async_client().call(crate::operations::$complete, request), tools))
                }
            }
        )*
    };
}

run_methods! {
    "serverless": ServerlessToolAssistedChat, ServerlessToolAssistedChatComplete, ServerlessToolAssistedChatCompletionBody;
    "serverless": ServerlessChat, ServerlessChatComplete, ServerlessChatCompletionBody;
    "dedicated": DedicatedChat, DedicatedChatComplete, DedicatedChatCompletionBody;
    "container": ContainerChat, ContainerChatComplete, ContainerChatCompletionBody;
}

/// A `run()` call: await it for the final [`RunResult`], or turn it into a stream of
/// [`RunEvent`]s with [`RunCall::into_stream`]. Per-call options apply to every model turn.
#[must_use = "a call does nothing until it is awaited"]
pub struct RunCall<'c, 't, O: ChatLoop> {
    call: Call<'c, O>,
    tools: &'t Tools,
    max_turns: u32,
    report_tool_errors: bool,
}

impl<O: ChatLoop> fmt::Debug for RunCall<'_, '_, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunCall")
            .field("call", &self.call)
            .field("tools", self.tools)
            .field("max_turns", &self.max_turns)
            .field("report_tool_errors", &self.report_tool_errors)
            .finish()
    }
}

/// The end of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RunResult {
    /// The final answer.
    pub result: ChatResult,
    /// The whole conversation: the request's messages, every assistant turn and tool result,
    /// and the final answer. Send it again with a new user message to continue.
    pub messages: Vec<Message>,
    /// How many model turns the run took.
    pub turns: u32,
    /// Every local function call, in order.
    pub calls: Vec<LocalCall>,
}

/// One local function call of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LocalCall {
    /// The model turn it belongs to (from 1).
    pub turn: u32,
    /// The call as the model made it.
    pub call: ToolCall,
    /// What was sent back to the model.
    pub output: String,
    /// Whether the call failed (its output is then the error report).
    pub failed: bool,
    /// How long the handler ran.
    pub duration: Duration,
}

impl<'c, 't, O: ChatLoop> RunCall<'c, 't, O> {
    fn new(call: Call<'c, O>, tools: &'t Tools) -> Self {
        RunCall {
            call,
            tools,
            max_turns: DEFAULT_MAX_TURNS,
            report_tool_errors: false,
        }
    }

    call_options!(call.options);

    /// The most model turns (default 8). A run that reaches it fails with
    /// [`ToolError::TurnLimit`], which holds the conversation so far.
    pub fn max_turns(mut self, turns: u32) -> Self {
        self.max_turns = turns.max(1);
        self
    }

    /// Send the failures of local calls (unknown function, bad arguments, handler error) to the
    /// model as the call's result, instead of failing the run.
    pub fn report_tool_errors(mut self, report: bool) -> Self {
        self.report_tool_errors = report;
        self
    }

    fn start(&mut self) -> Result<(O::Body, Vec<Message>)> {
        let mut request = std::mem::replace(
            &mut self.call.body,
            Err(Error::invalid_request("the request was taken")),
        )?;
        O::declare(&mut request, self.tools)?;
        let messages = O::messages(&mut request).clone();
        Ok((request, messages))
    }

    fn settings(&self) -> Settings<'t> {
        Settings {
            tools: self.tools,
            report_tool_errors: self.report_tool_errors,
        }
    }

    /// The run as a stream of events: the model's chunks and built-in tool statuses as they
    /// arrive, the local calls as they start and finish, and [`RunEvent::Finished`] at the end.
    pub fn into_stream(mut self) -> RunStream<'c>
    where
        't: 'c,
        O::Body: Clone,
    {
        let state = match self.start() {
            Ok((request, messages)) => RunState {
                phase: Phase::StartTurn,
                turn: 0,
                request,
                messages,
                calls: Vec::new(),
                queue: VecDeque::new(),
                call: self,
            },
            Err(error) => {
                return RunStream {
                    inner: futures::stream::once(async move { Err(error) }).boxed(),
                };
            }
        };
        RunStream {
            inner: futures::stream::unfold(Some(state), |state| async move {
                let mut state = state?;
                match state.step().await {
                    Ok(Some(event)) => Some((Ok(event), Some(state))),
                    Ok(None) => None,
                    Err(error) => Some((Err(error), None)),
                }
            })
            .boxed(),
        }
    }
}

#[derive(Clone, Copy)]
struct Settings<'t> {
    tools: &'t Tools,
    report_tool_errors: bool,
}

/// Runs the calls of one turn concurrently; returns the outputs and records, in call order.
async fn run_calls(
    settings: Settings<'_>,
    turn: u32,
    calls: &[ToolCall],
) -> Result<Vec<LocalCall>> {
    let runs = calls.iter().map(|call| async move {
        let started = Instant::now();
        let outcome = settings.tools.call(call).await;
        (call, outcome, started.elapsed())
    });
    let mut records = Vec::with_capacity(calls.len());
    for (call, outcome, duration) in futures::future::join_all(runs).await {
        let (output, failed) = match outcome {
            Ok(output) => (output, false),
            Err(error) if settings.report_tool_errors => (error.message_for_model(), true),
            Err(error) => return Err(error.into()),
        };
        records.push(LocalCall {
            turn,
            call: call.clone(),
            output,
            failed,
            duration,
        });
    }
    Ok(records)
}

fn wants_tools(result: &ChatResult) -> bool {
    matches!(
        result.finish_reason(),
        Some(FinishReason::Known(FinishReasonKnown::ToolCalls))
    ) || !result.tool_calls().is_empty()
}

impl<'c, 't: 'c, O> IntoFuture for RunCall<'c, 't, O>
where
    O: ChatLoop,
    O::Body: Clone,
{
    type Output = Result<RunResult>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            let (mut request, mut messages) = self.start()?;
            let mut calls = Vec::new();
            for turn in 1..=self.max_turns {
                *O::messages(&mut request) = messages.clone();
                let result = self.call.with_body(request.clone()).await?;
                if let Some(message) = result.to_message() {
                    messages.push(message);
                }
                if !wants_tools(&result) {
                    return Ok(RunResult {
                        result,
                        messages,
                        turns: turn,
                        calls,
                    });
                }
                for record in run_calls(self.settings(), turn, result.tool_calls()).await? {
                    messages.push(Message::tool(record.call.id.clone(), record.output.clone()));
                    calls.push(record);
                }
            }
            Err(ToolError::TurnLimit {
                max_turns: self.max_turns,
                messages,
            }
            .into())
        })
    }
}

#[cfg(feature = "blocking")]
impl<'c, 't: 'c, O> crate::blocking::Blocking<'c, RunCall<'c, 't, O>>
where
    O: ChatLoop,
    O::Body: Clone,
{
    call_options!(call.call.options);

    /// The most model turns (see [`RunCall::max_turns`]).
    pub fn max_turns(self, turns: u32) -> Self {
        self.map(|c| c.max_turns(turns))
    }

    /// Report local tool failures to the model (see [`RunCall::report_tool_errors`]).
    pub fn report_tool_errors(self, report: bool) -> Self {
        self.map(|c| c.report_tool_errors(report))
    }

    /// Runs the loop to the end.
    pub fn send(self) -> Result<RunResult> {
        let (call, runtime) = self.into_parts();
        runtime.block_on(call.into_future())?
    }
}

/// An event of a streamed run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunEvent {
    /// A chunk of the model's answer (of the current turn).
    Chunk(StreamedChatData),
    /// Progress of a built-in tool run on the server (tool-assisted chat).
    #[cfg(feature = "serverless")]
    ToolStatus(Box<ToolStatusData>),
    /// An event of the model's stream that this SDK does not know.
    Unknown(UnknownEvent),
    /// A local function call is about to run.
    LocalCallStarted {
        /// The model turn (from 1).
        turn: u32,
        /// The call.
        call: ToolCall,
    },
    /// A local function call finished; `output` goes back to the model.
    LocalCallFinished {
        /// The model turn (from 1).
        turn: u32,
        /// The call's id.
        call_id: String,
        /// The function.
        name: String,
        /// The result text.
        output: String,
        /// How long the handler ran.
        duration: Duration,
    },
    /// A local function call failed and the failure was reported to the model (see
    /// [`RunCall::report_tool_errors`]).
    LocalCallFailed {
        /// The model turn (from 1).
        turn: u32,
        /// The call's id.
        call_id: String,
        /// The function.
        name: String,
        /// What the model is told.
        error: String,
    },
    /// The model finished a turn.
    TurnFinished {
        /// The model turn (from 1).
        turn: u32,
        /// The turn's answer.
        result: Box<ChatResult>,
    },
    /// The run is over: the last event.
    Finished(Box<RunResult>),
}

/// The events of a streamed run (see [`RunCall::into_stream`]).
pub struct RunStream<'a> {
    inner: Pin<Box<dyn Stream<Item = Result<RunEvent>> + Send + 'a>>,
}

impl fmt::Debug for RunStream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunStream").finish_non_exhaustive()
    }
}

impl Stream for RunStream<'_> {
    type Item = Result<RunEvent>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

enum Phase<E> {
    StartTurn,
    Streaming(Box<crate::EventStream<E>>, Box<ChatAccumulator>),
    RunningTools(Vec<ToolCall>),
    Done,
}

struct RunState<'c, 't, O: ChatLoop> {
    call: RunCall<'c, 't, O>,
    phase: Phase<O::Event>,
    turn: u32,
    request: O::Body,
    messages: Vec<Message>,
    calls: Vec<LocalCall>,
    queue: VecDeque<RunEvent>,
}

impl<O: ChatLoop> RunState<'_, '_, O>
where
    O::Body: Clone,
{
    /// The next event; `None` at the end.
    async fn step(&mut self) -> Result<Option<RunEvent>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Ok(Some(event));
            }
            match &mut self.phase {
                Phase::Done => return Ok(None),
                Phase::StartTurn => {
                    if self.turn >= self.call.max_turns {
                        self.phase = Phase::Done;
                        return Err(ToolError::TurnLimit {
                            max_turns: self.call.max_turns,
                            messages: std::mem::take(&mut self.messages),
                        }
                        .into());
                    }
                    self.turn += 1;
                    *O::messages(&mut self.request) = self.messages.clone();
                    let events = self
                        .call
                        .call
                        .rebind(O::Stream::default(), Ok(self.request.clone()))
                        .await?;
                    self.phase = Phase::Streaming(Box::new(events), Box::default());
                }
                Phase::Streaming(events, accumulator) => match events.next().await {
                    Some(event) => {
                        let event = event?;
                        accumulator.push(&event);
                        #[cfg(feature = "serverless")]
                        if let Some(status) = event.tool_status() {
                            return Ok(Some(RunEvent::ToolStatus(Box::new(status.clone()))));
                        }
                        let out = if let Some(chunk) = event.chunk() {
                            RunEvent::Chunk(chunk.clone())
                        } else if let Some(unknown) = event.unknown() {
                            RunEvent::Unknown(unknown.clone())
                        } else {
                            continue;
                        };
                        return Ok(Some(out));
                    }
                    None => {
                        let accumulator = std::mem::take(accumulator);
                        let result = accumulator.finish()?.result;
                        self.finish_turn(result);
                    }
                },
                Phase::RunningTools(calls) => {
                    let calls = std::mem::take(calls);
                    self.phase = Phase::StartTurn;
                    let turn = self.turn;
                    for record in run_calls(self.call.settings(), turn, &calls).await? {
                        self.messages
                            .push(Message::tool(record.call.id.clone(), record.output.clone()));
                        self.queue.push_back(if record.failed {
                            RunEvent::LocalCallFailed {
                                turn,
                                call_id: record.call.id.clone(),
                                name: record.call.function.name.clone(),
                                error: record.output.clone(),
                            }
                        } else {
                            RunEvent::LocalCallFinished {
                                turn,
                                call_id: record.call.id.clone(),
                                name: record.call.function.name.clone(),
                                output: record.output.clone(),
                                duration: record.duration,
                            }
                        });
                        self.calls.push(record);
                    }
                }
            }
        }
    }

    /// Queues the end of a turn: the final events, or the announcements of the local calls to run
    /// next (they are announced before any of them starts).
    fn finish_turn(&mut self, result: ChatResult) {
        let turn = self.turn;
        if let Some(message) = result.to_message() {
            self.messages.push(message);
        }
        self.queue.push_back(RunEvent::TurnFinished {
            turn,
            result: Box::new(result.clone()),
        });
        if !wants_tools(&result) {
            self.phase = Phase::Done;
            self.queue.push_back(RunEvent::Finished(Box::new(RunResult {
                result,
                messages: std::mem::take(&mut self.messages),
                turns: turn,
                calls: std::mem::take(&mut self.calls),
            })));
            return;
        }
        let calls = result.tool_calls().to_vec();
        self.queue
            .extend(calls.iter().map(|call| RunEvent::LocalCallStarted {
                turn,
                call: call.clone(),
            }));
        self.phase = Phase::RunningTools(calls);
    }
}
