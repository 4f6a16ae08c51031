"""The demo organisation: a mid-sized online retailer, as plain tables.

Everything here is data; ``catalog.demo.seed`` turns it into rows through the factories.
"""

from dataclasses import dataclass, field

# slug, name, description
TEAMS = [
    (
        "payments",
        "Payments",
        "Takes the money: authorisations, captures, refunds, payouts and the ledger.",
    ),
    (
        "checkout",
        "Checkout",
        "Carts, prices, promotions and the checkout flow up to a placed order.",
    ),
    ("catalog", "Catalog", "Products, media, stock levels and reviews."),
    ("search", "Search & Discovery", "Search, autocomplete and recommendations."),
    ("identity", "Identity", "Sign-in, sessions, customer accounts and consents."),
    (
        "fulfilment",
        "Fulfilment",
        "From placed order to parcel at the door, and back again for returns.",
    ),
    ("notifications", "Notifications", "Email, SMS and push messages to customers."),
    (
        "platform",
        "Platform",
        "The edge, configuration, feature flags and shared infrastructure services.",
    ),
    ("data", "Data Platform", "Event streaming into the lake, reporting and experimentation."),
    ("storefront", "Storefront", "The web shop, the apps' backend and the customer-care console."),
]


@dataclass(frozen=True)
class DemoService:
    slug: str
    team: str
    description: str
    language: str
    framework: str = ""
    tier: int = 2
    scaling_factor: str = ""
    tags: tuple[str, ...] = ()
    kind: str = "service"
    runtime: str = "container"
    lifecycle: str = "production"
    name: str = ""


S = DemoService
SERVICES = [
    S("payment-gateway", "payments", "Authorises and captures card and wallet payments for every checkout.", "java", "spring-boot", 1, "payment authorisations per second", ("pci", "critical-path")),
    S("payment-ledger", "payments", "Double-entry ledger of every money movement; the system of record for payments.", "go", "", 1, "ledger postings per second", ("pci",)),
    S("refunds", "payments", "Full and partial refunds and chargebacks, back to the original payment method.", "kotlin", "ktor", 2, "refund requests per hour", ("pci",)),
    S("fraud-scoring", "payments", "Scores every payment attempt for fraud risk within 50 ms.", "python", "fastapi", 1, "payment attempts per second", ("pci", "ml")),
    S("payouts", "payments", "Nightly settlement and marketplace seller payouts.", "go", "", 2, "settlement batch size", ("pci", "batch"), kind="worker"),
    S("psp-adapter", "payments", "Adapters to the external payment service providers (Adyen, Stripe, PayPal).", "java", "spring-boot", 1, "PSP calls per second", ("pci", "integration"), name="PSP Adapter"),
    S("checkout-api", "checkout", "Orchestrates checkout: cart, prices, tax, delivery options and payment.", "typescript", "nestjs", 1, "checkouts per minute", ("customer-facing", "critical-path"), name="Checkout API"),
    S("cart", "checkout", "Shopping carts for signed-in and guest customers.", "go", "", 1, "cart updates per second", ("critical-path",)),
    S("pricing", "checkout", "The price of every line: list price, customer group, currency and promotions.", "kotlin", "spring-boot", 1, "price lookups per second", ("critical-path",)),
    S("promotions", "checkout", "Vouchers, discounts and basket-level promotions.", "python", "django", 2, "promotion evaluations per second", ("marketing",)),
    S("tax-calculator", "checkout", "Sales tax and VAT for a basket by destination.", "python", "", 2, "tax quotes per minute", (), kind="function", runtime="serverless"),
    S("order-service", "checkout", "Creates orders and tracks them from placement to delivery; system of record for orders.", "java", "spring-boot", 1, "orders per minute", ("critical-path",)),
    S("product-catalog", "catalog", "Products, variants, categories and attributes.", "java", "spring-boot", 1, "product reads per second", ("customer-facing",)),
    S("product-media", "catalog", "Stores, resizes and serves product images and videos.", "go", "", 2, "image requests per second", ("cdn",)),
    S("inventory", "catalog", "Stock levels per warehouse and reservations during checkout.", "go", "", 1, "stock reservations per second", ("critical-path",)),
    S("pim-importer", "catalog", "Imports supplier product feeds into the catalog.", "python", "celery", 3, "feed rows per hour", ("batch", "integration"), kind="worker", name="PIM Importer"),
    S("reviews", "catalog", "Customer ratings and reviews, with moderation.", "ruby", "rails", 3, "review reads per second", ("customer-facing", "ugc")),
    S("search-api", "search", "Product search with facets, synonyms and typo tolerance.", "go", "", 1, "search queries per second", ("customer-facing",), name="Search API"),
    S("search-indexer", "search", "Keeps the search index in step with product, price and stock changes.", "java", "kafka-streams", 2, "index updates per second", ("kafka",), kind="worker"),
    S("recommendations", "search", "Personalised product recommendations for home, product and cart pages.", "python", "fastapi", 2, "recommendation requests per second", ("ml", "customer-facing")),
    S("autocomplete", "search", "Query suggestions as the customer types.", "rust", "axum", 2, "keystrokes per second", ("customer-facing",), lifecycle="experimental"),
    S("auth-service", "identity", "Sign-in, OAuth2 tokens and token introspection for every service.", "go", "", 1, "token validations per second", ("security", "critical-path")),
    S("customer-profile", "identity", "Customer accounts, addresses and preferences; system of record for customers.", "kotlin", "spring-boot", 1, "profile reads per second", ("gdpr",)),
    S("session-service", "identity", "Web and app sessions, with device tracking.", "go", "", 1, "active sessions", ("security",)),
    S("consent-manager", "identity", "Marketing and cookie consents per customer.", "typescript", "express", 2, "consent changes per day", ("gdpr",)),
    S("legacy-sso", "identity", "The old single sign-on for partner portals, being replaced by auth-service.", "java", "java-ee", 3, "partner logins per day", ("legacy",), runtime="vm", lifecycle="deprecated", name="Legacy SSO"),
    S("shipment-service", "fulfilment", "Shipments, parcels and tracking; system of record for shipments.", "java", "spring-boot", 1, "shipments per hour", ()),
    S("warehouse-gateway", "fulfilment", "Bridges orders to the warehouse management systems.", "go", "", 1, "pick requests per minute", ("integration",)),
    S("carrier-integrations", "fulfilment", "Labels and tracking with DHL, UPS and local carriers.", "python", "django", 2, "labels per hour", ("integration",)),
    S("returns", "fulfilment", "Return requests, return labels and refunds on receipt.", "kotlin", "ktor", 2, "returns per day", ("customer-facing",)),
    S("delivery-promise", "fulfilment", "Estimates the delivery dates shown on product and checkout pages.", "go", "", 2, "estimates per second", ("customer-facing",)),
    S("notification-router", "notifications", "Decides which channel reaches a customer and routes each message there.", "go", "", 2, "notifications per second", ()),
    S("email-sender", "notifications", "Renders and sends transactional email.", "python", "celery", 2, "emails per minute", (), kind="worker"),
    S("sms-sender", "notifications", "Sends SMS through the SMS provider.", "javascript", "node", 3, "messages per minute", (), kind="function", runtime="serverless", name="SMS Sender"),
    S("push-gateway", "notifications", "Mobile push notifications through APNs and FCM.", "go", "", 3, "pushes per minute", ()),
    S("template-service", "notifications", "Message templates in every language, edited by marketing.", "typescript", "express", 3, "template renders per second", ("marketing",)),
    S("api-gateway", "platform", "The edge: routing, rate limits and authentication for public traffic.", "go", "envoy", 1, "requests per second at the edge", ("critical-path", "edge"), name="API Gateway"),
    S("feature-flags", "platform", "Feature flags and gradual rollouts.", "go", "", 2, "flag evaluations per second", ()),
    S("config-service", "platform", "Runtime configuration for every service.", "go", "", 1, "config fetches per minute", ("critical-path",)),
    S("audit-log", "platform", "Tamper-evident trail of security-relevant events.", "go", "", 2, "audit events per second", ("security",), kind="worker"),
    S("job-scheduler", "platform", "Cron-style scheduled jobs on behalf of other services.", "python", "celery", 3, "jobs per hour", ("batch",), kind="worker"),
    S("analytics-ingest", "data", "Streams business events into the data lake.", "java", "flink", 3, "events per second", ("kafka",), kind="worker"),
    S("reporting", "data", "Business dashboards for trading and finance.", "python", "superset", 3, "dashboard views per day", ("internal",), kind="website"),
    S("customer-360", "data", "Joins orders, profiles and behaviour into one customer view for marketing.", "python", "spark", 3, "customers processed per run", ("gdpr", "batch"), kind="worker", lifecycle="experimental", name="Customer 360"),
    S("experiment-platform", "data", "A/B tests: assignment and results.", "python", "django", 3, "assignments per second", ("internal",)),
    S("web-storefront", "storefront", "The customer-facing web shop.", "typescript", "next.js", 1, "page views per second", ("customer-facing",), kind="website"),
    S("mobile-bff", "storefront", "Backend for the iOS and Android apps: one GraphQL API over the catalog and checkout.", "typescript", "apollo-server", 1, "app requests per second", ("customer-facing",), name="Mobile BFF"),
    S("care-console", "storefront", "Back-office tool for customer care agents.", "typescript", "react", 3, "care agents online", ("internal",), kind="website"),
]  # fmt: skip

# slug, owning service (system of record), description, other services in the domain
DOMAINS = [
    ("orders", "order-service", "Orders, order lines and their status history.", ["checkout-api", "returns"]),
    ("payments", "payment-ledger", "Payments, captures, refunds and ledger postings.", ["payment-gateway", "refunds", "payouts"]),
    ("customers", "customer-profile", "Customer accounts, addresses and preferences.", ["consent-manager", "customer-360"]),
    ("inventory", "inventory", "Stock levels per warehouse and stock reservations.", ["warehouse-gateway"]),
    ("products", "product-catalog", "Products, variants, categories and media.", ["product-media", "pim-importer", "reviews"]),
    ("pricing", "pricing", "Price lists, customer-group prices and promotions.", ["promotions"]),
    ("shipments", "shipment-service", "Shipments, parcels, tracking events and returns.", ["carrier-integrations"]),
    ("notifications", "notification-router", "Messages sent to customers and their delivery status.", ["email-sender", "sms-sender", "push-gateway"]),
]  # fmt: skip

# slug, owning service, kind, data domain, description
RESOURCES = [
    ("orders-db", "order-service", "database", "orders", "PostgreSQL 15, primary and two replicas."),
    ("order-events-topic", "order-service", "queue", "orders", "Kafka topic of order lifecycle events."),
    ("payments-db", "payment-gateway", "database", "payments", "PostgreSQL 15 in the PCI zone."),
    ("ledger-db", "payment-ledger", "database", "payments", "PostgreSQL 15 with synchronous replication."),
    ("fraud-features", "fraud-scoring", "cache", "payments", "Redis feature store for fraud scoring."),
    ("customers-db", "customer-profile", "database", "customers", "PostgreSQL 15."),
    ("session-cache", "session-service", "cache", "customers", "Redis cluster holding sessions."),
    ("inventory-db", "inventory", "database", "inventory", "PostgreSQL 15."),
    ("products-db", "product-catalog", "database", "products", "PostgreSQL 15."),
    ("product-images", "product-media", "bucket", "products", "Object storage bucket behind the CDN."),
    ("pricing-db", "pricing", "database", "pricing", "PostgreSQL 15."),
    ("promotions-db", "promotions", "database", "pricing", "MySQL 8 (inherited from the old shop)."),
    ("cart-cache", "cart", "cache", "", "Redis holding carts for 30 days."),
    ("search-cluster", "search-api", "database", "products", "OpenSearch cluster, six nodes."),
    ("shipments-db", "shipment-service", "database", "shipments", "PostgreSQL 15."),
    ("shipping-labels", "carrier-integrations", "bucket", "shipments", "Label PDFs, kept for 90 days."),
    ("notification-queue", "notification-router", "queue", "notifications", "RabbitMQ queues per channel."),
    ("email-outbox", "email-sender", "queue", "notifications", "Outgoing email awaiting the SMTP relay."),
    ("analytics-lake", "analytics-ingest", "bucket", "", "Parquet files in the data lake."),
]  # fmt: skip

# Resources a team runs for several services, held by no one service: (slug, team, kind, type,
# data domain, description). The type is the descriptor's when Keel's kind does not name it.
TEAM_RESOURCES = [
    ("event-stream", "data", "queue", "kafka-cluster", "", "Kafka cluster every service publishes its events to."),
    ("edge-cdn-logs", "storefront", "bucket", "s3-bucket", "", "CDN access logs, kept for 30 days."),
]  # fmt: skip

OPENAPI = "openapi"
ASYNCAPI = "asyncapi"
GRAPHQL = "graphql"
GRPC = "grpc"

STOREFRONT_SDL = """\
type Query {
  product(sku: ID!): Product
  products(first: Int = 20, after: String, category: ID): ProductConnection!
  search(query: String!, first: Int = 20): ProductConnection!
  cart(id: ID!): Cart
  me: Customer
}

type Mutation {
  addToCart(cartId: ID!, sku: ID!, quantity: Int! = 1): Cart!
  removeFromCart(cartId: ID!, sku: ID!): Cart!
}

type Product {
  sku: ID!
  title: String!
  brand: String
  price: Money!
  images: [String!]!
  rating: Float
  inStock: Boolean!
}

type ProductConnection {
  nodes: [Product!]!
  endCursor: String
  hasNextPage: Boolean!
}

type Cart {
  id: ID!
  lines: [CartLine!]!
  total: Money!
}

type CartLine {
  product: Product!
  quantity: Int!
}

type Customer {
  id: ID!
  email: String!
  firstName: String
  orders(first: Int = 10): [Order!]!
}

type Order {
  id: ID!
  status: String!
  total: Money!
  placedAt: String!
}

type Money {
  amount: Int!
  currency: String!
}
"""

CATALOG_SDL = """\
type Query {
  product(sku: ID!): Product
  category(id: ID!): Category
}

type Product {
  sku: ID!
  title: String!
  description: String
  attributes: [Attribute!]!
  categories: [Category!]!
}

type Attribute {
  name: String!
  value: String!
}

type Category {
  id: ID!
  name: String!
  parent: Category
  children: [Category!]!
}
"""

LEDGER_PROTO = """\
syntax = "proto3";

package keel.ledger.v1;

service Ledger {
  rpc PostEntries (PostEntriesRequest) returns (PostEntriesResponse);
  rpc GetBalance (GetBalanceRequest) returns (Balance);
}

message Entry {
  string account = 1;
  int64 amount_minor = 2;
  string currency = 3;
}

message PostEntriesRequest {
  string idempotency_key = 1;
  string reference = 2;
  repeated Entry entries = 3;
}

message PostEntriesResponse {
  string posting_id = 1;
}

message GetBalanceRequest {
  string account = 1;
}

message Balance {
  string account = 1;
  int64 amount_minor = 2;
  string currency = 3;
}
"""

INTROSPECTION_PROTO = """\
syntax = "proto3";

package keel.auth.v1;

service TokenIntrospection {
  rpc Introspect (IntrospectRequest) returns (IntrospectResponse);
}

message IntrospectRequest {
  string token = 1;
}

message IntrospectResponse {
  bool active = 1;
  string subject = 2;
  repeated string scopes = 3;
  int64 expires_at = 4;
}
"""

RESERVATION_PROTO = """\
syntax = "proto3";

package keel.inventory.v1;

service Reservations {
  rpc Reserve (ReserveRequest) returns (Reservation);
  rpc Release (ReleaseRequest) returns (Reservation);
}

message ReserveRequest {
  string order_id = 1;
  string sku = 2;
  int32 quantity = 3;
}

message ReleaseRequest {
  string reservation_id = 1;
}

message Reservation {
  string id = 1;
  string sku = 2;
  int32 quantity = 3;
  string status = 4;
}
"""


@dataclass(frozen=True)
class DemoApi:
    """``payload``: resources (OpenAPI) or channels (AsyncAPI) with their fields, or spec text."""

    slug: str
    provider: str
    type: str
    payload: object
    lifecycle: str = "production"
    consumers: tuple[str, ...] = field(default=())


A = DemoApi
APIS = [
    A("payments-api", "payment-gateway", OPENAPI, {"payments": {"order_id": "string", "amount": "integer", "currency": "string", "status": "string"}, "captures": {"payment_id": "string", "amount": "integer"}}, consumers=("checkout-api", "order-service", "refunds")),
    A("refunds-api", "refunds", OPENAPI, {"refunds": {"payment_id": "string", "amount": "integer", "reason": "string"}}, consumers=("returns", "care-console")),
    A("fraud-api", "fraud-scoring", OPENAPI, {"assessments": {"payment_id": "string", "score": "number", "decision": "string"}}, consumers=("payment-gateway",)),
    A("payouts-api", "payouts", OPENAPI, {"payouts": {"seller_id": "string", "amount": "integer", "currency": "string"}}, lifecycle="experimental", consumers=("reporting",)),
    A("checkout-rest", "checkout-api", OPENAPI, {"checkouts": {"cart_id": "string", "status": "string"}, "payment-sessions": {"checkout_id": "string", "method": "string"}}, consumers=("web-storefront", "mobile-bff")),
    A("cart-api", "cart", OPENAPI, {"carts": {"customer_id": "string", "currency": "string"}, "cart-lines": {"cart_id": "string", "sku": "string", "quantity": "integer"}}, consumers=("checkout-api", "promotions", "web-storefront", "mobile-bff")),
    A("pricing-api", "pricing", OPENAPI, {"prices": {"sku": "string", "amount": "integer", "currency": "string"}, "quotes": {"cart_id": "string", "total": "integer"}}, consumers=("checkout-api", "cart", "search-indexer")),
    A("promotions-api", "promotions", OPENAPI, {"promotions": {"code": "string", "discount_percent": "number"}, "vouchers": {"code": "string", "status": "string"}}, consumers=("pricing", "checkout-api")),
    A("tax-api", "tax-calculator", OPENAPI, {"tax-quotes": {"country": "string", "postcode": "string", "amount": "integer"}}, consumers=("checkout-api",)),
    A("orders-api", "order-service", OPENAPI, {"orders": {"customer_id": "string", "status": "string", "total": "integer"}, "order-lines": {"order_id": "string", "sku": "string", "quantity": "integer"}}, consumers=("checkout-api", "refunds", "returns", "care-console", "mobile-bff", "customer-360")),
    A("products-api", "product-catalog", OPENAPI, {"products": {"sku": "string", "title": "string", "brand": "string"}, "categories": {"parent_id": "string"}, "variants": {"product_id": "string", "size": "string", "colour": "string"}}, consumers=("cart", "pim-importer", "recommendations", "reviews", "web-storefront", "mobile-bff", "search-indexer")),
    A("media-api", "product-media", OPENAPI, {"assets": {"sku": "string", "url": "string", "width": "integer", "height": "integer"}}, consumers=("pim-importer", "product-catalog")),
    A("inventory-api", "inventory", OPENAPI, {"stock-levels": {"sku": "string", "warehouse": "string", "quantity": "integer"}}, consumers=("cart", "checkout-api", "warehouse-gateway", "delivery-promise")),
    A("reviews-api", "reviews", OPENAPI, {"reviews": {"sku": "string", "rating": "integer", "text": "string"}}, consumers=("web-storefront",)),
    A("search-rest", "search-api", OPENAPI, {"searches": {"query": "string", "total": "integer"}, "facets": {"search_id": "string", "field": "string"}}, consumers=("web-storefront", "mobile-bff", "autocomplete")),
    A("recommendations-api", "recommendations", OPENAPI, {"recommendations": {"customer_id": "string", "sku": "string", "score": "number"}}, consumers=("web-storefront", "mobile-bff")),
    A("auth-api", "auth-service", OPENAPI, {"tokens": {"subject": "string", "scope": "string", "expires_at": "string"}, "clients": {"redirect_uri": "string"}}, consumers=("web-storefront", "care-console", "legacy-sso")),
    A("customers-api", "customer-profile", OPENAPI, {"customers": {"email": "string", "locale": "string"}, "addresses": {"customer_id": "string", "country": "string", "postcode": "string"}}, consumers=("order-service", "fraud-scoring", "notification-router", "reviews", "care-console", "mobile-bff", "consent-manager", "legacy-sso", "customer-360")),
    A("consents-api", "consent-manager", OPENAPI, {"consents": {"customer_id": "string", "purpose": "string", "granted": "boolean"}}, consumers=("customer-profile", "notification-router")),
    A("shipments-api", "shipment-service", OPENAPI, {"shipments": {"order_id": "string", "carrier": "string", "status": "string"}, "parcels": {"shipment_id": "string", "tracking_number": "string"}}, consumers=("returns", "care-console")),
    A("returns-api", "returns", OPENAPI, {"returns": {"order_id": "string", "reason": "string", "status": "string"}}, consumers=("care-console", "web-storefront")),
    A("delivery-promise-api", "delivery-promise", OPENAPI, {"delivery-estimates": {"sku": "string", "postcode": "string", "earliest": "string", "latest": "string"}}, consumers=("checkout-api", "web-storefront")),
    A("notifications-api", "notification-router", OPENAPI, {"notifications": {"customer_id": "string", "channel": "string", "template": "string"}}, consumers=("care-console", "returns")),
    A("templates-api", "template-service", OPENAPI, {"templates": {"locale": "string", "subject": "string"}}, consumers=("email-sender", "notification-router")),
    A("flags-api", "feature-flags", OPENAPI, {"flags": {"key": "string", "enabled": "boolean"}}, consumers=("experiment-platform", "web-storefront", "mobile-bff", "checkout-api")),
    A("config-api", "config-service", OPENAPI, {"settings": {"service": "string", "key": "string", "value": "string"}}, consumers=("feature-flags", "api-gateway", "checkout-api", "search-api", "order-service")),
    A("experiments-api", "experiment-platform", OPENAPI, {"experiments": {"key": "string", "status": "string"}, "assignments": {"experiment_id": "string", "subject": "string"}}, lifecycle="experimental", consumers=("web-storefront",)),
    A("order-events", "order-service", ASYNCAPI, {"orders.placed": {"order_id": "string", "total": "integer"}, "orders.cancelled": {"order_id": "string", "reason": "string"}}, consumers=("payment-gateway", "shipment-service", "warehouse-gateway", "notification-router", "analytics-ingest")),
    A("payment-events", "payment-gateway", ASYNCAPI, {"payments.authorised": {"payment_id": "string", "order_id": "string"}, "payments.failed": {"payment_id": "string", "reason": "string"}}, consumers=("order-service", "notification-router", "analytics-ingest")),
    A("inventory-events", "inventory", ASYNCAPI, {"stock.changed": {"sku": "string", "quantity": "integer"}}, consumers=("search-indexer", "analytics-ingest")),
    A("catalog-events", "product-catalog", ASYNCAPI, {"products.changed": {"sku": "string"}, "products.deleted": {"sku": "string"}}, consumers=("search-indexer",)),
    A("shipment-events", "shipment-service", ASYNCAPI, {"shipments.dispatched": {"shipment_id": "string", "carrier": "string"}, "shipments.delivered": {"shipment_id": "string"}}, consumers=("notification-router", "order-service", "analytics-ingest")),
    A("storefront-graphql", "mobile-bff", GRAPHQL, STOREFRONT_SDL, consumers=("web-storefront",)),
    A("catalog-graphql", "product-catalog", GRAPHQL, CATALOG_SDL, lifecycle="experimental"),
    A("ledger-grpc", "payment-ledger", GRPC, LEDGER_PROTO, consumers=("payment-gateway", "refunds", "payouts")),
    A("token-introspection", "auth-service", GRPC, INTROSPECTION_PROTO, consumers=("api-gateway", "mobile-bff", "care-console")),
    A("reservations-grpc", "inventory", GRPC, RESERVATION_PROTO, consumers=("order-service",)),
]  # fmt: skip

# Dependencies that are not an API consumption: calls to services without a catalogued API,
# resources, and the shared platform services everyone calls. (source, target, kind, criticality)
DEPENDENCIES = [
    ("payment-gateway", "psp-adapter", "sync", "high"),
    ("api-gateway", "web-storefront", "sync", "high"),
    ("api-gateway", "mobile-bff", "sync", "high"),
    ("api-gateway", "auth-service", "sync", "high"),
    ("auth-service", "session-service", "sync", "high"),
    ("auth-service", "audit-log", "async", "medium"),
    ("auth-service", "customer-profile", "sync", "high"),
    ("web-storefront", "session-service", "sync", "high"),
    ("shipment-service", "carrier-integrations", "sync", "high"),
    ("shipment-service", "warehouse-gateway", "sync", "high"),
    ("delivery-promise", "carrier-integrations", "sync", "medium"),
    ("notification-router", "email-sender", "async", "high"),
    ("notification-router", "sms-sender", "async", "medium"),
    ("notification-router", "push-gateway", "async", "low"),
    ("job-scheduler", "payouts", "async", "medium"),
    ("job-scheduler", "pim-importer", "async", "low"),
    ("search-api", "recommendations", "sync", "low"),
    ("cart", "promotions", "sync", "medium"),
    ("reporting", "experiment-platform", "sync", "low"),
    ("customer-360", "analytics-ingest", "data", "medium"),
    *((s, "config-service", "sync", "high") for s in ("payment-gateway", "cart", "pricing", "inventory", "auth-service", "product-catalog", "mobile-bff", "web-storefront", "shipment-service")),
    *((s, "feature-flags", "sync", "low") for s in ("cart", "search-api", "recommendations", "promotions", "pricing")),
    *((s, "audit-log", "async", "low") for s in ("payment-gateway", "refunds", "customer-profile", "care-console")),
    # resources used by services other than their owners
    ("search-indexer", "search-cluster", "data", "high"),
    ("email-sender", "notification-queue", "async", "high"),
    ("sms-sender", "notification-queue", "async", "medium"),
    ("push-gateway", "notification-queue", "async", "low"),
    ("analytics-ingest", "order-events-topic", "async", "medium"),
    ("reporting", "analytics-lake", "data", "high"),
    ("customer-360", "analytics-lake", "data", "high"),
    ("customer-360", "orders-db", "data", "low"),  # reads another team's database: a known smell
    # the shared resources no one service holds
    ("analytics-ingest", "event-stream", "async", "high"),
    ("order-service", "event-stream", "async", "medium"),
    ("web-storefront", "edge-cdn-logs", "data", "low"),
    ("returns", "shipping-labels", "data", "medium"),
]  # fmt: skip
