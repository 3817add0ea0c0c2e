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
//! the run with a [`ToolError`] (see [`Error::tool_error`]), unless
//! [`RunCall::report_tool_errors`] asks for the failure to
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

use crate::core::call::{BlockingCaller, Call, Caller};
use crate::core::client::Client;
use crate::core::error::{BoxError, Error, Result};
use crate::core::operation::Operation;
use crate::core::options::{CallOptions, CallSettings};
use crate::core::response::Json;
use crate::core::response::ResponseMeta;
use crate::extras::chat::{ChatAccumulator, ChatEvent};
use crate::extras::ext::{ChatResultExt, MessageExt, parameters_schema};
use crate::stream::{EventStream, Events, UnknownEvent};
#[cfg(friendli_has = "tool_assisted_chat")]
use crate::types::ToolStatusData;
use crate::types::{
    ChatResult, FinishReason, FinishReasonKnown, Message, StreamedChatData, ToolCall,
};

/// The default most model turns of a run.
pub const DEFAULT_MAX_TURNS: u32 = 8;

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
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
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

/// The body fields the tool loop sets in every turn: the conversation and the tool declarations.
const LOOP_FIELDS: [&str; 2] = ["messages", "tools"];

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
    ($($capability:literal: $complete:ident, $stream:ident, $event:ident;)*) => {
        $(
            #[cfg(friendli_has = $capability)]
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
    "tool_loop_serverless_tool_assisted_chat": ServerlessToolAssistedChatComplete, ServerlessToolAssistedChatStream, ToolAssistedChatEvent;
    "tool_loop_serverless_chat": ServerlessChatComplete, ServerlessChatStream, ChatStreamEvent;
    "tool_loop_dedicated_chat": DedicatedChatComplete, DedicatedChatStream, ChatStreamEvent;
    "tool_loop_container_chat": ContainerChatComplete, ContainerChatStream, ChatStreamEvent;
}

/// `run()` on the chat namespaces, of the async and the blocking client alike.
macro_rules! run_methods {
    ($($capability:literal: $namespace:ident, $complete:ident, $body:ident;)*) => {
        $(
            #[cfg(friendli_has = $capability)]
            impl<'c, C: Caller> crate::namespaces::$namespace<'c, C> {
                /// Runs the conversation loop with local function tools: sends the request (with
                /// the declarations of `tools` added), runs the functions the model calls, sends
                /// the results back, and repeats until the model answers or the turn limit is
                /// reached. Await it for the [`RunResult`] (`send()` it on the blocking client),
                /// or stream it with [`RunCall::into_stream`]. Per-call options apply to every
                /// turn.
                pub fn run<'t, R>(&self, request: R, tools: &'t Tools) -> RunCall<'c, 't, crate::operations::$complete, C>
                where
                    R: TryInto<crate::types::$body>,
                    R::Error: fmt::Display,
                {
                    RunCall::new(
                        Call::new(self.client(), crate::operations::$complete, crate::core::operation::body(request)),
                        tools,
                    )
                }
            }
        )*
    };
}

run_methods! {
    "tool_loop_serverless_tool_assisted_chat": ServerlessToolAssistedChat, ServerlessToolAssistedChatComplete, ServerlessToolAssistedChatCompletionBody;
    "tool_loop_serverless_chat": ServerlessChat, ServerlessChatComplete, ChatCompletionBody;
    "tool_loop_dedicated_chat": DedicatedChat, DedicatedChatComplete, ChatCompletionBody;
    "tool_loop_container_chat": ContainerChat, ContainerChatComplete, ChatCompletionBody;
}

/// A `run()` call: await it for the final [`RunResult`] (`send()` it on the blocking client), or
/// turn it into a stream of [`RunEvent`]s with [`RunCall::into_stream`]. Per-call options apply
/// to every model turn; a `body_field` named `messages` or `tools` (which the loop sets in every
/// turn) fails the run with [`Error::InvalidRequest`] before anything is sent.
#[must_use = "a call does nothing until it is awaited (or sent, on the blocking client)"]
pub struct RunCall<'c, 't, O: ChatLoop, C = Client> {
    call: Call<'c, O, C>,
    tools: &'t Tools,
    max_turns: u32,
    report_tool_errors: bool,
}

impl<O: ChatLoop, C> fmt::Debug for RunCall<'_, '_, O, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunCall")
            .field("call", &self.call)
            .field("tools", self.tools)
            .field("max_turns", &self.max_turns)
            .field("report_tool_errors", &self.report_tool_errors)
            .finish()
    }
}

impl<O: ChatLoop, C> CallOptions for RunCall<'_, '_, O, C> {
    fn settings(&mut self) -> &mut CallSettings {
        self.call.settings()
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
    /// The metadata of the last model turn's response.
    #[serde(skip)]
    meta: Option<ResponseMeta>,
}

impl RunResult {
    /// The metadata of the response of the last model turn: status, headers, request id,
    /// attempts, elapsed time (`None` for a result that was deserialised).
    pub fn meta(&self) -> Option<&ResponseMeta> {
        self.meta.as_ref()
    }
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

impl<'c, 't, O: ChatLoop, C: Caller> RunCall<'c, 't, O, C>
where
    O::Body: Clone,
{
    // Called by the `run()` of each chat namespace the document and the features give.
    #[cfg_attr(
        not(any(
            friendli_has = "tool_loop_serverless_tool_assisted_chat",
            friendli_has = "tool_loop_serverless_chat",
            friendli_has = "tool_loop_dedicated_chat",
            friendli_has = "tool_loop_container_chat"
        )),
        allow(dead_code)
    )]
    fn new(call: Call<'c, O, C>, tools: &'t Tools) -> Self {
        RunCall {
            call,
            tools,
            max_turns: DEFAULT_MAX_TURNS,
            report_tool_errors: false,
        }
    }

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

    /// The conversation at its start: the request with the tools declared.
    fn start(&mut self) -> Result<Conversation<'t, O>> {
        // The loop sets these fields of every turn's body itself: a `body_field` would replace
        // the conversation or the declarations in every turn.
        if let Some((field, _)) = self
            .call
            .settings
            .body_fields
            .iter()
            .find(|(field, _)| LOOP_FIELDS.contains(&field.as_str()))
        {
            return Err(Error::invalid_request(format!(
                "the tool loop sets the body field `{field}` of every turn itself: a body_field cannot replace it (put it in the request)"
            )));
        }
        let mut request = std::mem::replace(
            &mut self.call.body,
            Err(Error::invalid_request("the request was taken")),
        )?;
        O::declare(&mut request, self.tools)?;
        // The conversation keeps the messages; each turn's request gets a copy of them.
        let messages = std::mem::take(O::messages(&mut request));
        Ok(Conversation {
            tools: self.tools,
            report_tool_errors: self.report_tool_errors,
            max_turns: self.max_turns,
            turn: 0,
            request,
            messages,
            calls: Vec::new(),
            meta: None,
        })
    }

    /// The run, each turn answered whole.
    async fn run(mut self) -> Result<RunResult> {
        let mut conversation = self.start()?;
        loop {
            let request = conversation.next_request()?;
            let (result, meta) = self.call.with_body(request).execute().await?.into_parts();
            conversation.meta = Some(meta);
            match conversation.end_turn(result) {
                TurnEnd::Finished(run) => return Ok(*run),
                TurnEnd::Calls(calls) => {
                    conversation.run_tools(&calls).await?;
                }
            }
        }
    }

    /// The run as a stream of events, each turn streamed.
    fn events(mut self) -> RunStream<'c>
    where
        't: 'c,
    {
        let conversation = match self.start() {
            Ok(conversation) => conversation,
            Err(error) => {
                return RunStream {
                    inner: futures::stream::once(async move { Err(error) }).boxed(),
                };
            }
        };
        let state = RunState {
            call: self.call,
            conversation,
            phase: Phase::StartTurn,
            queue: VecDeque::new(),
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

impl<'c, 't: 'c, O: ChatLoop> RunCall<'c, 't, O, Client>
where
    O::Body: Clone,
{
    /// The run as a stream of events: the model's chunks and built-in tool statuses as they
    /// arrive, the local calls as they start and finish, and [`RunEvent::Finished`] at the end.
    pub fn into_stream(self) -> RunStream<'c> {
        self.events()
    }
}

impl<'c, 't: 'c, O> IntoFuture for RunCall<'c, 't, O, Client>
where
    O: ChatLoop,
    O::Body: Clone,
{
    type Output = Result<RunResult>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'c>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl<O: ChatLoop, C: BlockingCaller> RunCall<'_, '_, O, C>
where
    O::Body: Clone,
{
    /// Runs the loop to the end (the blocking client's form of `.await`).
    pub fn send(self) -> Result<RunResult> {
        let client = self.call.client();
        client.block_on(self.run())?
    }
}

/// The conversation of a run, turn by turn: what awaiting a run and streaming it share.
struct Conversation<'t, O: ChatLoop> {
    tools: &'t Tools,
    report_tool_errors: bool,
    max_turns: u32,
    /// The current turn (from 1; 0 before the first).
    turn: u32,
    request: O::Body,
    messages: Vec<Message>,
    calls: Vec<LocalCall>,
    /// The metadata of the latest model turn's response.
    meta: Option<ResponseMeta>,
}

/// How a turn ended.
enum TurnEnd {
    /// The model answered: the run is over.
    Finished(Box<RunResult>),
    /// The model called these local functions.
    Calls(Vec<ToolCall>),
}

impl<O: ChatLoop> Conversation<'_, O>
where
    O::Body: Clone,
{
    /// The request of the next turn, or [`ToolError::TurnLimit`] when the turns are used up.
    fn next_request(&mut self) -> Result<O::Body> {
        if self.turn >= self.max_turns {
            return Err(ToolError::TurnLimit {
                max_turns: self.max_turns,
                messages: std::mem::take(&mut self.messages),
            }
            .into());
        }
        self.turn += 1;
        let mut request = self.request.clone();
        *O::messages(&mut request) = self.messages.clone();
        Ok(request)
    }

    /// Ends the turn with the model's answer.
    fn end_turn(&mut self, result: ChatResult) -> TurnEnd {
        if let Some(message) = result.to_message() {
            self.messages.push(message);
        }
        if !wants_tools(&result) {
            return TurnEnd::Finished(Box::new(RunResult {
                calls: std::mem::take(&mut self.calls),
                messages: std::mem::take(&mut self.messages),
                turns: self.turn,
                result,
                meta: self.meta.take(),
            }));
        }
        TurnEnd::Calls(result.tool_calls().to_vec())
    }

    /// Runs the local calls of the turn concurrently and adds their results to the
    /// conversation; gives their records, in call order.
    async fn run_tools(&mut self, calls: &[ToolCall]) -> Result<&[LocalCall]> {
        let tools = self.tools;
        let runs = calls.iter().map(|call| async move {
            let started = Instant::now();
            let outcome = tools.call(call).await;
            (call, outcome, started.elapsed())
        });
        let first = self.calls.len();
        let outcomes = futures::future::join_all(runs).await;
        for (call, outcome, duration) in outcomes {
            let (output, failed) = match outcome {
                Ok(output) => (output, false),
                Err(error) if self.report_tool_errors => (error.message_for_model(), true),
                Err(error) => return Err(error.into()),
            };
            self.messages
                .push(Message::tool(call.id.clone(), output.clone()));
            self.calls.push(LocalCall {
                turn: self.turn,
                call: call.clone(),
                output,
                failed,
                duration,
            });
        }
        Ok(&self.calls[first..])
    }
}

fn wants_tools(result: &ChatResult) -> bool {
    matches!(
        result.finish_reason(),
        Some(FinishReason::Known(FinishReasonKnown::ToolCalls))
    ) || !result.tool_calls().is_empty()
}

/// An event of a streamed run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RunEvent {
    /// A chunk of the model's answer (of the current turn).
    Chunk(StreamedChatData),
    /// Progress of a built-in tool run on the server (tool-assisted chat).
    #[cfg(friendli_has = "tool_assisted_chat")]
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
    Streaming(Box<EventStream<E>>, Box<ChatAccumulator>),
    RunningTools(Vec<ToolCall>),
    Done,
}

struct RunState<'c, 't, O: ChatLoop, C> {
    call: Call<'c, O, C>,
    conversation: Conversation<'t, O>,
    phase: Phase<O::Event>,
    queue: VecDeque<RunEvent>,
}

impl<O: ChatLoop, C: Caller> RunState<'_, '_, O, C>
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
                    let request = match self.conversation.next_request() {
                        Ok(request) => request,
                        Err(error) => {
                            self.phase = Phase::Done;
                            return Err(error);
                        }
                    };
                    let events = self
                        .call
                        .rebind(O::Stream::default(), Ok(request))
                        .execute()
                        .await?;
                    self.phase = Phase::Streaming(Box::new(events), Box::default());
                }
                Phase::Streaming(events, accumulator) => match events.next().await {
                    Some(event) => {
                        let event = event?;
                        accumulator.push(&event);
                        #[cfg(friendli_has = "tool_assisted_chat")]
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
                        self.conversation.meta = Some(events.meta().clone());
                        let result = std::mem::take(accumulator).finish()?.result;
                        self.end_turn(result);
                    }
                },
                Phase::RunningTools(calls) => {
                    let calls = std::mem::take(calls);
                    self.phase = Phase::StartTurn;
                    for record in self.conversation.run_tools(&calls).await? {
                        self.queue.push_back(if record.failed {
                            RunEvent::LocalCallFailed {
                                turn: record.turn,
                                call_id: record.call.id.clone(),
                                name: record.call.function.name.clone(),
                                error: record.output.clone(),
                            }
                        } else {
                            RunEvent::LocalCallFinished {
                                turn: record.turn,
                                call_id: record.call.id.clone(),
                                name: record.call.function.name.clone(),
                                output: record.output.clone(),
                                duration: record.duration,
                            }
                        });
                    }
                }
            }
        }
    }

    /// Queues the end of a turn: the final events, or the announcements of the local calls to
    /// run next (they are announced before any of them starts).
    fn end_turn(&mut self, result: ChatResult) {
        let turn = self.conversation.turn;
        self.queue.push_back(RunEvent::TurnFinished {
            turn,
            result: Box::new(result.clone()),
        });
        match self.conversation.end_turn(result) {
            TurnEnd::Finished(run) => {
                self.phase = Phase::Done;
                self.queue.push_back(RunEvent::Finished(run));
            }
            TurnEnd::Calls(calls) => {
                self.queue
                    .extend(calls.iter().map(|call| RunEvent::LocalCallStarted {
                        turn,
                        call: call.clone(),
                    }));
                self.phase = Phase::RunningTools(calls);
            }
        }
    }
}

/// Why running local function tools failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ToolError {
    /// The model called a function that is not registered.
    UnknownFunction {
        /// The call's id.
        call_id: String,
        /// The name the model used.
        name: String,
        /// The registered names.
        known: Vec<String>,
    },
    /// The arguments were not JSON, or did not match the handler's argument type.
    InvalidArguments {
        /// The call's id.
        call_id: String,
        /// The function.
        name: String,
        /// The arguments as the model wrote them.
        arguments: String,
        /// What was wrong.
        source: serde_json::Error,
    },
    /// The handler returned an error.
    Failed {
        /// The call's id.
        call_id: String,
        /// The function.
        name: String,
        /// The handler's error.
        source: BoxError,
    },
    /// The model was still calling functions after the most turns allowed.
    TurnLimit {
        /// The limit.
        max_turns: u32,
        /// The conversation so far, to continue it with a higher limit.
        messages: Vec<Message>,
    },
}

impl ToolError {
    /// What the model is told when the failure is reported to it instead of failing the run.
    pub fn message_for_model(&self) -> String {
        let text = match self {
            ToolError::UnknownFunction { name, known, .. } => {
                format!(
                    "there is no function named {name:?}; the functions are: {}",
                    known.join(", ")
                )
            }
            ToolError::InvalidArguments { source, .. } => {
                format!("the arguments do not match the function's parameters: {source}")
            }
            ToolError::Failed { source, .. } => format!("the function failed: {source}"),
            ToolError::TurnLimit { .. } => "too many turns".to_owned(),
        };
        json!({ "error": text }).to_string()
    }

    fn cause_of(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ToolError::InvalidArguments { source, .. } => Some(source),
            ToolError::Failed { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::UnknownFunction {
                call_id,
                name,
                known,
            } => write!(
                f,
                "the model called function {name:?} (call {call_id}), which is not registered (registered: {})",
                known.join(", ")
            ),
            ToolError::InvalidArguments {
                call_id,
                name,
                arguments,
                source,
            } => write!(
                f,
                "the arguments of function {name:?} (call {call_id}) do not match its parameters: {source} (arguments: {arguments})"
            ),
            ToolError::Failed {
                call_id,
                name,
                source,
            } => {
                write!(f, "function {name:?} (call {call_id}) failed: {source}")
            }
            ToolError::TurnLimit { max_turns, .. } => {
                write!(
                    f,
                    "the model was still calling functions after {max_turns} turns"
                )
            }
        }
    }
}

impl std::error::Error for ToolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause_of()
    }
}

impl From<ToolError> for Error {
    fn from(error: ToolError) -> Self {
        Error::Extra(Box::new(error))
    }
}

impl Error {
    /// The error of the local tool loop, if this is one ([`Error::Extra`]).
    pub fn tool_error(&self) -> Option<&ToolError> {
        self.extra()
    }
}
