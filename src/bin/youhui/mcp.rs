//! `youhui mcp RULES`: the queries as MCP tools over stdio, on the official Rust SDK (`rmcp`).
//!
//! - `tools/list`: one tool per query, generated from the loaded rules (`youhui::tools`);
//! - `tools/call`: the answer as JSON text content and as structured content; an answer that
//!   is an error (a bad argument, an unknown offer) is a tool result with `isError: true`,
//!   so the model reads its `summary` and `error` and can correct itself; an unknown tool is
//!   a protocol error (-32602);
//! - the resource `youhui://offers`: every offer in words (the `offers` answer);
//! - the rule file is watched: a good new file is swapped in whole (calls in flight finish on
//!   their snapshot) and the client gets `notifications/tools/list_changed` and
//!   `notifications/resources/list_changed` (and `resources/updated` when subscribed); a bad
//!   one is refused with a message on stderr and the old rules keep answering.
//!
//! Standard output carries JSON-RPC only; every message for people goes to standard error.
//! The process exits 0 when the client closes standard input.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, Tool, UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;
use youhui::SharedRules;

const OFFERS_URI: &str = "youhui://offers";
/// How often the rule file is looked at.
const POLL: Duration = Duration::from_millis(200);

#[derive(Clone)]
struct Server {
    rules: Arc<SharedRules>,
    subscribed: Arc<Mutex<HashSet<String>>>,
}

impl Server {
    fn tools(&self) -> Vec<Tool> {
        youhui::tools::definitions(&self.rules.current())
            .into_iter()
            .map(|t| {
                let schema = match t.parameters {
                    Value::Object(m) => m,
                    _ => serde_json::Map::new(),
                };
                Tool::new(t.name, t.description, schema)
            })
            .collect()
    }

    fn offers_json(&self) -> String {
        let rules = self.rules.current();
        serde_json::json!({"rules": rules.rules_id(), "offers": rules.list_offers().offers})
            .to_string()
    }
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let rules = self.rules.current();
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .enable_resources()
                .enable_resources_list_changed()
                .enable_resources_subscribe()
                .build(),
        )
        .with_server_info(Implementation::new("youhui", env!("CARGO_PKG_VERSION")))
        .with_instructions(format!(
            "Promotion rules of {}: prices, coupons, stacking, refunds. Call `offers` to learn the offer IDs; every answer has `summary` (zh, en), a sentence to send to the customer as it is.",
            rules.name()
        ))
    }

    // Versions with the `initialize` handshake; 2026-07-28 sends change notifications only
    // inside `subscriptions/listen`, which this server does not implement yet.
    fn supported_protocol_versions(&self) -> Cow<'static, [ProtocolVersion]> {
        Cow::Borrowed(ProtocolVersion::known_up_to(&ProtocolVersion::V_2025_11_25))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let name = request.name.to_string();
        if !youhui::tools::TOOL_NAMES.contains(&name.as_str()) {
            return Err(McpError::invalid_params(
                format!(
                    "unknown tool `{name}`; the tools are {}",
                    youhui::tools::TOOL_NAMES.join(", ")
                ),
                None,
            ));
        }
        let args = Value::Object(request.arguments.unwrap_or_default());
        let rules = self.rules.current();
        // Answers take microseconds to (at worst) the deadline: off the async workers.
        let (text, answer) = tokio::task::spawn_blocking(move || {
            let response = youhui::tools::call(&rules, &name, args);
            // The text keeps the protocol's field order (structured content is a map).
            serde_json::to_string(&response)
                .and_then(|text| serde_json::to_value(&response).map(|value| (text, value)))
        })
        .await
        .map_err(|e| McpError::internal_error(e.to_string(), None))?
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let mut result = if answer.get("error").is_some() {
            CallToolResult::structured_error(answer)
        } else {
            CallToolResult::structured(answer)
        };
        result.content = vec![ContentBlock::text(text)];
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(vec![Resource::new(
            OFFERS_URI, "offers",
        )
        .with_description("Every offer of the loaded rules in words (ID, title, benefit, scope, window, audience)")
        .with_mime_type("application/json")]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        if request.uri != OFFERS_URI {
            return Err(McpError::resource_not_found(
                format!("no resource {}; the resource is {OFFERS_URI}", request.uri),
                None,
            ));
        }
        Ok(
            ReadResourceResult::new(vec![ResourceContents::text(self.offers_json(), OFFERS_URI)
                .with_mime_type("application/json")])
            .into(),
        )
    }

    #[allow(deprecated)] // the subscription of the `initialize` lifecycle, which we serve
    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.subscribed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(request.uri);
        Ok(())
    }

    #[allow(deprecated)]
    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.subscribed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&request.uri);
        Ok(())
    }
}

/// Polls the rule file; a good new file is installed and the client told.
async fn watch(server: Server, peer: rmcp::Peer<RoleServer>) {
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        match server.rules.reload_if_changed() {
            Ok(false) => continue,
            Ok(true) => {
                let r = server.rules.current();
                eprintln!(
                    "youhui mcp: reloaded {} ({})",
                    r.name(),
                    r.fingerprint_hex()
                );
            }
            Err(e) => {
                eprintln!("youhui mcp: the new rule file was refused; the old rules stay:\n{e}");
                continue;
            }
        }
        let subscribed = server
            .subscribed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(OFFERS_URI);
        // An error means the client is gone: stop watching.
        if peer.notify_tool_list_changed().await.is_err()
            || peer.notify_resource_list_changed().await.is_err()
            || (subscribed
                && peer
                    .notify_resource_updated(ResourceUpdatedNotificationParam::new(OFFERS_URI))
                    .await
                    .is_err())
        {
            break;
        }
    }
}

pub fn serve(path: PathBuf) -> ExitCode {
    let rules = match SharedRules::from_file(&path) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return match e {
                youhui::model::ReloadError::Read { .. } => ExitCode::from(2),
                _ => ExitCode::from(1),
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    let server = Server {
        rules: Arc::new(rules),
        subscribed: Arc::default(),
    };
    runtime.block_on(async move {
        let running = match server.clone().serve(rmcp::transport::stdio()).await {
            Ok(r) => r,
            // The client left before `initialize`: nothing to serve.
            Err(e) => {
                eprintln!("youhui mcp: not initialized: {e}");
                return ExitCode::SUCCESS;
            }
        };
        let watcher = tokio::spawn(watch(server, running.peer().clone()));
        let quit = running.waiting().await;
        watcher.abort();
        match quit {
            Ok(_) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("youhui mcp: {e}");
                ExitCode::from(2)
            }
        }
    })
}
