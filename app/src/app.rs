//! The shell, router and layout: navigation, cluster picker, theme.

use crate::audit::view::AuditPage;
use crate::auth::view::{AccountPage, LoginPage, UserMenu, UsersPage};
use crate::components::{
    KnownClusters, LiveTab, Me, MeScript, ThemeToggle, principal_of_page, sign_in_of_page,
};
use crate::ensemble::view::EnsemblePage;
use crate::error::Backend;
use crate::kafka::view::{
    GroupPage, GroupsPage, KafkaFlowsPage, KafkaLivePage, KafkaPage, TopicPage, TopicsPage,
};
use crate::overview::api::list_clusters;
use crate::overview::view::{BackendIndexPage, ClusterPicker, OverviewPage};
use crate::rabbitmq::view::{
    DefinitionsPage, ExchangesPage, PoliciesPage, QueuePage, QueuesPage, RabbitFlowsPage,
    RabbitLivePage, RabbitPage,
};
use crate::zookeeper::explorer::ZnodeExplorer;
use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{A, ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

/// Sets the theme class before first paint so a dark-theme user never sees a
/// white flash. Stored choice wins; otherwise the system preference.
/// It also keeps the cookie the server renders the theme from.
const THEME_BOOT: &str = "try{var t=localStorage.getItem('zkmq-theme');\
if(t===null){t=window.matchMedia('(prefers-color-scheme: dark)').matches?'dark':'light'}\
var c=document.documentElement.classList;if(t==='dark'){c.add('dark')}else{c.remove('dark')}\
document.cookie='zkmq-theme='+t+'; path=/; max-age=31536000; SameSite=Lax'}catch(e){}";

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en" class=crate::components::dark_from_request().then_some("dark")>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <script inner_html=THEME_BOOT></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100 min-h-screen">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(KnownClusters(Resource::new(|| (), |_| list_clusters())));
    provide_context(Me(principal_of_page()));
    provide_context(sign_in_of_page());
    // One live connection per tab, shared by its live views.
    LiveTab::provide();
    // Tests (and people) can tell a hydrated page from server-rendered HTML.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/zkmq.css" />
        <MeScript />
        <Title text="zkmq" />
        <Router>
            <Header />
            <main class="mx-auto max-w-6xl px-4 py-6">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=OverviewPage />
                    <Route path=path!("/zookeeper") view=|| view! { <BackendIndexPage backend=Backend::Zookeeper /> } />
                    // One parent for the cluster root and every znode below it: the
                    // explorer and its tree stay mounted while the path changes
                    // (the children only name the URLs; the explorer reads the path).
                    <ParentRoute path=path!("/zookeeper/:cluster") view=ZnodeExplorer ssr=SsrMode::Async>
                        <Route path=path!("") view=|| () />
                        <Route path=path!("*rest") view=|| () />
                    </ParentRoute>
                    <Route path=path!("/ensemble/:cluster") view=EnsemblePage />
                    <Route path=path!("/kafka") view=|| view! { <BackendIndexPage backend=Backend::Kafka /> } />
                    <Route path=path!("/kafka/:cluster") view=KafkaPage />
                    <Route path=path!("/kafka/:cluster/topics") view=TopicsPage />
                    <Route path=path!("/kafka/:cluster/topics/:topic") view=TopicPage ssr=SsrMode::Async />
                    <Route path=path!("/kafka/:cluster/groups") view=GroupsPage />
                    <Route path=path!("/kafka/:cluster/groups/:group") view=GroupPage ssr=SsrMode::Async />
                    <Route path=path!("/kafka/:cluster/live") view=KafkaLivePage />
                    <Route path=path!("/kafka/:cluster/flows") view=KafkaFlowsPage />
                    <Route path=path!("/rabbitmq") view=|| view! { <BackendIndexPage backend=Backend::Rabbitmq /> } />
                    <Route path=path!("/rabbitmq/:cluster") view=RabbitPage />
                    <Route path=path!("/rabbitmq/:cluster/queues") view=QueuesPage />
                    <Route path=path!("/rabbitmq/:cluster/queues/:vhost/:name") view=QueuePage ssr=SsrMode::Async />
                    <Route path=path!("/rabbitmq/:cluster/exchanges") view=ExchangesPage />
                    <Route path=path!("/rabbitmq/:cluster/policies") view=PoliciesPage />
                    <Route path=path!("/rabbitmq/:cluster/definitions") view=DefinitionsPage />
                    <Route path=path!("/rabbitmq/:cluster/live") view=RabbitLivePage />
                    <Route path=path!("/rabbitmq/:cluster/flows") view=RabbitFlowsPage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/admin/users") view=UsersPage />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    // The login page offers nothing but the form (and the theme).
    let location = leptos_router::hooks::use_location();
    let signed_out = move || location.pathname.get() == "/login";
    let link = "rounded px-3 py-1.5 text-sm font-medium hover:bg-slate-200 dark:hover:bg-slate-800 aria-[current=page]:bg-slate-200 dark:aria-[current=page]:bg-slate-800";
    view! {
        <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <div class="mx-auto flex max-w-6xl flex-wrap items-center gap-3 px-4 py-2">
                <A href="/" attr:class="mr-2 text-lg font-bold tracking-tight">"zkmq"</A>
                <Show when=move || !signed_out()>
                    <nav aria-label="Main" class="flex flex-wrap gap-1">
                        <A href="/" exact=true attr:class=link>"Overview"</A>
                        <A href="/zookeeper" attr:class=link>"ZooKeeper"</A>
                        <A href="/kafka" attr:class=link>"Kafka"</A>
                        <A href="/rabbitmq" attr:class=link>"RabbitMQ"</A>
                        <A href="/audit" attr:class=link>"Audit"</A>
                    </nav>
                </Show>
                <div class="ml-auto flex items-center gap-3">
                    <Show when=move || !signed_out()>
                        <ClusterPicker />
                    </Show>
                    <ThemeToggle />
                    <Show when=move || !signed_out()>
                        <UserMenu />
                    </Show>
                </div>
            </div>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    crate::components::respond_status(404);
    view! {
        <Title text="Not found · zkmq" />
        <h1 class="text-2xl font-semibold">"Page not found"</h1>
        <p class="mt-2">"No page lives at this address. "<A href="/" attr:class="underline">"Go to the overview"</A></p>
    }
}
