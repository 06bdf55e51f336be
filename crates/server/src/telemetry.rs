//! Logging and tracing: `tracing` with JSON (production) or human-readable (local) log
//! lines on standard error, and, when `OTEL_EXPORTER_OTLP_ENDPOINT` is set,
//! OpenTelemetry spans exported over OTLP (HTTP/protobuf) in batches.
//!
//! Without an endpoint no OpenTelemetry layer is installed, and the request span and
//! the debug-level spans around database and Redis calls are disabled at their call
//! sites (log lines never print spans). With one, the exporter gets every span at info level
//! and portcullis' own debug spans (use cases, database, Redis), whatever `LOG_LEVEL`
//! says about log lines; the W3C `traceparent` of a request becomes its parent.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig as _};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use crate::config::LogFormat;

/// What the exporter receives, independent of `LOG_LEVEL`.
const TRACE_FILTER: &str = "info,portcullis=debug";

/// The installed telemetry; [`Telemetry::shutdown`] flushes queued spans at exit.
#[must_use = "call shutdown() at exit, or queued spans are lost"]
#[derive(Debug)]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still queued (waits up to the SDK's 5 s) and stops exporting.
    /// Call after the async runtime has returned.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(err) = provider.shutdown()
        {
            eprintln!("warning: the trace exporter did not shut down cleanly: {err}");
        }
    }
}

/// Installs the global subscriber. `level` is a `LOG_LEVEL` filter (`info`,
/// `portcullis=debug,info`, ...); `otlp_endpoint` the collector's base URL
/// (`http://collector:4318`; spans go to `<base>/v1/traces`).
///
/// # Errors
/// When the filter does not parse, the exporter cannot be built, or a subscriber is
/// already installed.
pub fn init(
    level: &str,
    format: LogFormat,
    otlp_endpoint: Option<&str>,
) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_new(level)
        .map_err(|e| anyhow::anyhow!("LOG_LEVEL: {e}"))?
        // Log lines never show spans; without this the request span would be built (and
        // the route matched) for every request at LOG_LEVEL=info.
        .add_directive(
            format!("{}=off", portcullis_http::middleware::REQUEST_SPAN_TARGET).parse()?,
        );
    let fmt = tracing_subscriber::fmt::layer()
        .with_span_events(FmtSpan::NONE)
        .with_writer(std::io::stderr);
    let fmt: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Json => fmt
            .json()
            .flatten_event(true)
            .with_current_span(false)
            // The request span would otherwise be repeated on every line.
            .with_span_list(false)
            .with_filter(filter)
            .boxed(),
        LogFormat::Pretty => fmt.compact().with_filter(filter).boxed(),
    };
    let provider = otlp_endpoint.map(otlp_provider).transpose()?;
    let traces = match &provider {
        Some(provider) => Some(
            tracing_opentelemetry::layer()
                .with_tracer(provider.tracer("portcullis"))
                .with_filter(EnvFilter::try_new(TRACE_FILTER)?),
        ),
        None => None,
    };
    tracing_subscriber::registry()
        .with(fmt)
        .with(traces)
        .try_init()
        .map_err(|e| anyhow::anyhow!("could not install the log subscriber: {e}"))?;
    Ok(Telemetry { provider })
}

fn otlp_provider(base: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = SpanExporter::builder()
        .with_http()
        .with_endpoint(format!("{}/v1/traces", base.trim_end_matches('/')))
        .build()
        .map_err(|e| anyhow::anyhow!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"))?;
    // Only when exporting: a request's `traceparent` then becomes its span's parent.
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    Ok(SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("portcullis").build())
        .build())
}
