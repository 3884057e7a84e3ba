use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    super::set_title("Страница не найдена");
    view! {
        <section class="page">
            <h1>"Страница не найдена"</h1>
            <p>"Такой страницы в приложении нет. " <a href="/">"Перейти на главную"</a></p>
        </section>
    }
}
