use leptos::prelude::*;

use crate::components::refused::RefusedList;
use crate::components::undecided::UndecidedList;

#[component]
pub fn RefusedPage() -> impl IntoView {
    super::set_title("Не принято и ждёт решения");
    view! {
        <section class="page" id="refused-page">
            <h1>"Не принято и ждёт решения"</h1>
            <p class="lead">"Здесь изменения, которые сервер не принял, и удалённые записи, которые тем временем изменили на другом компьютере. Они сохранены, чтобы ничего не потерялось: прочитайте причину и, если нужно, внесите исправление заново или решите, что делать с записью."</p>
            <RefusedList/>
            <UndecidedList/>
            <p class="empty">"Если здесь пусто — всё принято и решать нечего."</p>
        </section>
    }
}
