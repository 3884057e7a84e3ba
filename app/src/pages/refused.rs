use leptos::prelude::*;

use crate::components::refused::RefusedList;
use crate::components::undecided::UndecidedList;

#[component]
pub fn RefusedPage() -> impl IntoView {
    super::set_title("Не принято");
    view! {
        <section class="page" id="refused-page">
            <h1>"Изменения, которые сервер не принял"</h1>
            <p class="lead">"Они сохранены здесь, чтобы ничего не потерялось. Прочитайте причину и, если нужно, внесите исправление заново."</p>
            <RefusedList/>
            <UndecidedList/>
            <p class="empty">"Если список пуст — всё принято."</p>
        </section>
    }
}
