//! Reading events: what the detail shows stays put (pinning), a pane can take the whole screen
//! (zoom), the layout folds on small terminals, every row keeps its namespace, narrow lists
//! drop columns by priority, and focus and tabs show without colour.

use crate::common;

use common::tui::*;
use mwatch::app::msg::{Focus, Tab};
use mwatch::app::state::State;
use ratatui::crossterm::event::KeyCode;

/// The text inside the Detail pane's box (its title line excluded), row by row.
fn detail_rows(state: &State) -> Vec<String> {
    let screen = common::tui::screen(state);
    let lines: Vec<&str> = screen.lines().collect();
    let top = lines
        .iter()
        .position(|line| line.contains(" Detail"))
        .unwrap_or_else(|| panic!("no Detail pane:\n{screen}"));
    // The Detail pane is the last box on the right: its rows are the cells after the last
    // left border on each line.
    lines[top + 1..]
        .iter()
        .take_while(|line| !line.contains('└') && !line.contains('╚'))
        .map(|line| {
            let cells: Vec<&str> = line.split(['│', '║']).collect();
            cells[cells.len().saturating_sub(2)].trim_end().to_string()
        })
        .collect()
}

#[test]
fn enter_pins_the_event_shown_while_new_events_arrive_until_following_again() {
    let mut state = live(Some("shop.orders"), SIZE);
    assert!(state.events.follow);
    let opened = state.events.selected_event().and_then(|e| e.cluster_time());
    enter(&mut state);
    press(&mut state, 'j');
    let scroll = state.detail.scroll;
    assert_eq!(scroll, 1);
    let before = detail_rows(&state);
    arrive(&mut state, later_events());
    assert_eq!(
        state.events.selected_event().and_then(|e| e.cluster_time()),
        opened
    );
    assert_eq!(state.detail.scroll, scroll, "the scrolled detail stays");
    assert_eq!(detail_rows(&state), before);
    let screen = common::tui::screen(&state);
    assert!(
        screen.contains("Detail · pinned · insert …00000003 15:59:08.250"),
        "{screen}"
    );
    // Space (in the detail as in the list) follows the newest again: the pin is gone.
    press(&mut state, ' ');
    assert!(state.events.follow);
    assert_eq!(state.detail.scroll, 0);
    assert_eq!(state.events.selected, state.events.store.len() - 1);
    let screen = common::tui::screen(&state);
    assert!(!screen.contains("pinned"), "{screen}");
    assert!(screen.contains("Detail · following"), "{screen}");
}

#[test]
fn scrolling_the_detail_while_following_pins_it() {
    let mut state = live(Some("shop.orders"), SIZE);
    key(&mut state, KeyCode::Tab);
    assert_eq!(state.focus, Focus::Detail);
    assert!(
        state.events.follow,
        "focusing the detail alone pins nothing"
    );
    let opened = state.events.selected_event().and_then(|e| e.cluster_time());
    key(&mut state, KeyCode::PageDown);
    arrive(&mut state, later_events());
    assert_eq!(
        state.events.selected_event().and_then(|e| e.cluster_time()),
        opened
    );
    assert!(state.detail.scroll > 0);
    esc(&mut state);
    press(&mut state, 'G');
    assert_eq!(state.detail.scroll, 0);
    assert!(state.events.follow);
}

#[test]
fn focus_starts_on_the_events_also_without_a_scope() {
    let (mut state, _) = fresh(None, SIZE);
    assert_eq!(state.focus, Focus::Events);
    press(&mut state, '?');
    assert!(state.overlay.is_some(), "? opens the help");
}

#[test]
fn z_gives_the_focused_pane_the_whole_body_and_back() {
    let mut state = live(Some("shop.orders"), SIZE);
    enter(&mut state);
    press(&mut state, 'G');
    assert!(state.detail.scroll > 0, "the event is longer than the pane");
    let height = state.detail.height;
    let list = (state.events.offset, state.events.height);
    press(&mut state, 'z');
    assert_eq!(
        state.detail.scroll, 0,
        "it fits now: nothing is scrolled away"
    );
    let screen = common::tui::screen(&state);
    assert!(!screen.contains("Namespaces"), "{screen}");
    assert!(!screen.contains(" Events ·"), "{screen}");
    assert!(state.detail.height > height, "page sizes follow the layout");
    // The whole body: the screen less the title, status and footer lines, less the box and
    // the tab bar.
    assert_eq!(state.detail.height, usize::from(SIZE.1) - 3 - 3, "{screen}");
    // The zoom follows the focus.
    esc(&mut state);
    let screen = common::tui::screen(&state);
    assert!(screen.contains(" Events ·"), "{screen}");
    assert!(!screen.contains(" Detail"), "{screen}");
    press(&mut state, 'z');
    let screen = common::tui::screen(&state);
    assert!(screen.contains("Namespaces") && screen.contains(" Detail"));
    assert_eq!(
        (state.events.offset, state.events.height),
        list,
        "the list is where it was before the detail was zoomed"
    );
}

#[test]
fn small_terminals_fold_the_namespaces_and_the_pipeline_until_focused() {
    for size in [(99, 40), (120, 29), (80, 24), (60, 15)] {
        let mut state = live(Some("shop.orders"), size);
        let screen = common::tui::screen(&state);
        assert!(!screen.contains("Namespaces"), "{size:?}\n{screen}");
        assert!(!screen.contains("Pipeline"), "{size:?}\n{screen}");
        press(&mut state, 'p');
        let screen = common::tui::screen(&state);
        assert!(screen.contains("Pipeline"), "{size:?}\n{screen}");
        assert!(!screen.contains("Namespaces"), "{size:?}\n{screen}");
    }
    for size in [(100, 30), (200, 60)] {
        let state = live(Some("shop.orders"), size);
        let screen = common::tui::screen(&state);
        assert!(screen.contains("Namespaces") && screen.contains("Pipeline"));
    }
}

#[test]
fn a_seam_row_in_the_detail_wraps_at_word_boundaries() {
    let mut state = live(Some("shop.orders"), (60, 15));
    press(&mut state, 'g');
    let rows = detail_rows(&state);
    let text = rows[1..].join(" ");
    assert!(
        text.contains("A watch started here: watching shop.orders since 15:59:00. Events before it came from the previous watch."),
        "{rows:#?}"
    );
}

#[test]
fn rows_from_an_earlier_scope_keep_their_namespace() {
    let mut state = live(None, SIZE);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    assert_eq!(state.focus, Focus::Namespaces);
    type_text(&mut state, "orders\n");
    started(&mut state, 2);
    let screen = common::tui::screen(&state);
    assert!(screen.contains("shop.customers"), "{screen}");
    assert!(screen.contains("shop.inventory"), "{screen}");
}

#[test]
fn a_single_collection_has_no_namespace_column() {
    let state = live(Some("shop.orders"), SIZE);
    let screen = common::tui::screen(&state);
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains(" insert ")).collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|row| !row.contains("shop.orders")),
        "{screen}"
    );
}

#[test]
fn at_60_by_15_the_list_shows_the_key_and_the_operation() {
    let state = live(None, (60, 15));
    let screen = common::tui::screen(&state);
    let row = screen
        .lines()
        .find(|line| line.contains('›'))
        .unwrap_or_else(|| panic!("no selected row:\n{screen}"));
    assert!(row.contains("insert"), "{screen}");
    assert!(row.contains("…00000003"), "{screen}");
    assert!(row.contains("shop.orders"), "{screen}");
}

#[test]
fn focus_and_the_active_tab_show_without_colour() {
    let mut state = live(Some("shop.orders"), SIZE);
    let screen = common::tui::screen(&state);
    assert!(screen.contains("╔ Events"), "{screen}");
    assert!(screen.contains("▸1 Event"), "{screen}");
    key(&mut state, KeyCode::Tab);
    press(&mut state, '2');
    let screen = common::tui::screen(&state);
    assert!(screen.contains("╔ Detail"), "{screen}");
    assert!(screen.contains("┌ Events"), "{screen}");
    assert!(screen.contains("▸2 Diff") && !screen.contains("▸1 Event"));
}

#[test]
fn h_and_l_switch_tabs_in_the_event_list_and_a_click_picks_a_tab() {
    let mut state = live(Some("shop.orders"), SIZE);
    press(&mut state, 'l');
    assert_eq!(state.detail.tab, Tab::Diff);
    press(&mut state, 'h');
    press(&mut state, 'h');
    assert_eq!(state.detail.tab, Tab::PreImage);
    let screen = common::tui::screen(&state);
    for (label, tab) in [("Full document", Tab::FullDocument), ("Diff", Tab::Diff)] {
        let (row, line) = screen
            .lines()
            .enumerate()
            .find(|(_, line)| line.contains(label) && line.contains("Event"))
            .unwrap();
        let column = line[..line.find(label).unwrap()].chars().count() as u16;
        click(&mut state, column, row as u16);
        assert_eq!(state.detail.tab, tab, "{screen}");
    }
    assert_eq!(state.focus, Focus::Detail);
}
