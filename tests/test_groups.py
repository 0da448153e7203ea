"""Stakeholder groups page: the list with counts, adding, editing, reordering, deleting, and their history."""

import json

import lxml.html
import pytest

from portal.audit.models import AuditEvent
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from tests.conftest import count_queries

SEEDED_KEYS = [
    "teacher",
    "teacher-leader",
    "paraprofessional",
    "principal",
    "principal-supervisor",
    "parent",
    "student",
    "board-member",
    "business-leader",
    "community-member",
]

NEW_GROUP = {
    "key": "after-school-staff",
    "label": "After-school staff member",
    "plural_label": "After-school staff",
    "label_es": "Personal extraescolar",
    "plural_label_es": "Personal de actividades extraescolares",
}


@pytest.fixture
def admin(auth, staff):
    auth.sign_in(staff["admin"])
    return auth.client


def page(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(element):
    """Return the element's text with each run of whitespace, and each tag boundary, as one space."""
    return " ".join(" ".join(element.itertext()).split())


def group_rows(document):
    """Return the groups table's rows as {data-label: text}, in page order."""
    body = document.get_element_by_id("groups").find(".//tbody")
    return [{cell.get("data-label"): text(cell) for cell in row} for row in body]


def field_errors(document, name):
    control = document.xpath(f'//*[@name="{name}"][not(@type="hidden")]')[0]
    ids = (control.get("aria-describedby") or "").split()
    return [text(document.get_element_by_id(id_)) for id_ in ids if "-error-" in id_]


def group(key):
    return StakeholderGroup.get(StakeholderGroup.key == key)


def keys_in_order():
    return [g.key for g in StakeholderGroup.select().order_by(StakeholderGroup.position, StakeholderGroup.id)]


def events(action):
    found = list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))
    return [(event, json.loads(event.details)) for event in found]


def add_stakeholders(key, count):
    for number in range(count):
        Stakeholder.create(email=f"{key}{number}@mail.example.com", group=group(key))


# The list


def test_list_in_order_with_labels(admin):
    rows = group_rows(page(admin.get("/groups")))
    assert [row["Group"].split(" key: ")[1] for row in rows] == SEEDED_KEYS
    parents = rows[SEEDED_KEYS.index("parent")]
    assert parents["English"] == "Parent or guardian Parents and guardians"
    assert parents["Spanish"] == "Madre, padre o tutor Madres, padres y tutores"
    assert parents["Names"] == "Shown to staff"
    assert rows[SEEDED_KEYS.index("student")]["Names"] == "Never shown, to staff either"


def test_list_counts_stakeholders(admin):
    add_stakeholders("teacher", 3)
    add_stakeholders("student", 1)
    rows = {row["Group"].split(" key: ")[1]: row for row in group_rows(page(admin.get("/groups")))}
    assert rows["teacher"]["Stakeholders"] == "3"
    assert rows["student"]["Stakeholders"] == "1"
    assert rows["parent"]["Stakeholders"] == "0"


def test_list_queries_fixed(admin):
    admin.get("/groups")
    with count_queries() as few:
        admin.get("/groups")
    add_stakeholders("teacher", 5)
    StakeholderGroup.create(key="volunteer", label="Volunteer", plural_label="Volunteers", position=10)
    with count_queries() as many:
        admin.get("/groups")
    assert many.count == few.count


# Adding


def test_add_group(admin, staff):
    response = admin.post("/groups", data=NEW_GROUP)
    added = group("after-school-staff")
    [(event, details)] = events("group.created")

    assert response.status_code == 303
    assert response.headers["Location"] == "/groups"
    assert keys_in_order() == [*SEEDED_KEYS, "after-school-staff"]
    assert added.label_in("es") == "Personal extraescolar"
    assert added.label_in("es", plural=True) == "Personal de actividades extraescolares"
    assert added.anonymous is False
    assert event.actor == f"staff:{staff['admin'].id}"
    assert event.object_id == added.id
    assert details["changes"]["label_es"] == [None, "Personal extraescolar"]
    assert details["changes"]["key"] == [None, "after-school-staff"]


def test_added_group_recognised_in_rosters(admin, tmp_path, app):
    from portal.stakeholders.roster import GroupNames

    admin.post("/groups", data={**NEW_GROUP, "anonymous": "y"})
    names = GroupNames()
    assert names.find("Personal extraescolar") == "after-school-staff"
    assert names.find("after-school staff") == "after-school-staff"
    assert group("after-school-staff").anonymous is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("key", "", "Write a key, such as community-member."),
        (
            "key",
            "After School",
            "Use lowercase letters, digits and single hyphens between words, starting with a letter, such as community-member.",
        ),
        (
            "key",
            "after--school",
            "Use lowercase letters, digits and single hyphens between words, starting with a letter, such as community-member.",
        ),
        ("key", "a" * 51, "Keep the key to 50 characters or fewer."),
        ("label", "  ", "Write the English label."),
        ("plural_label", "", "Write the English plural label."),
        ("label_es", "", "Write the Spanish label."),
        ("plural_label_es", "", "Write the Spanish plural label."),
        ("label", "x" * 101, "Keep the English label to 100 characters or fewer."),
        (
            "key",
            "teacher",
            "The group Teachers (teacher) already goes by 'teacher'. Choose another name, because rosters name "
            "groups by their labels and each name must lead to one group.",
        ),
        (
            "plural_label",
            "Teachers",
            "The group Teachers (teacher) already goes by 'Teachers'. Choose another name, because rosters name "
            "groups by their labels and each name must lead to one group.",
        ),
        (
            "label_es",
            "docente lider",
            "The group Teacher leaders (teacher-leader) already goes by 'docente lider'. Choose another name, because rosters name "
            "groups by their labels and each name must lead to one group.",
        ),
    ],
    ids=[
        "key-missing",
        "key-spaces",
        "key-double-hyphen",
        "key-long",
        "label-blank",
        "plural-missing",
        "spanish-missing",
        "spanish-plural-missing",
        "label-long",
        "key-taken",
        "label-taken",
        "spanish-taken-without-accent",
    ],
)
def test_add_group_rejected(admin, field, value, message):
    response = admin.post("/groups", data={**NEW_GROUP, field: value})
    document = page(response)
    assert response.status_code == 422
    assert field_errors(document, field) == [message]
    assert "The group was not added" in text(document)
    assert keys_in_order() == SEEDED_KEYS
    assert events("group.created") == []


def test_add_group_keeps_typed_values(admin):
    response = admin.post("/groups", data={**NEW_GROUP, "key": "Bad Key"})
    document = page(response)
    assert document.xpath('//input[@name="label_es"]/@value') == ["Personal extraescolar"]
    assert document.xpath('//input[@name="key"]/@value') == ["Bad Key"]


# Editing


def test_edit_page_shows_values(admin):
    document = page(admin.get(f"/groups/{group('parent').id}/edit"))
    assert document.xpath('//input[@name="label"]/@value') == ["Parent or guardian"]
    assert document.xpath('//input[@name="plural_label_es"]/@value') == ["Madres, padres y tutores"]
    assert document.xpath('//input[@name="key"]') == []


def test_edit_labels(admin, staff):
    parent = group("parent")
    data = {
        "label": "Family member",
        "plural_label": "Families",
        "label_es": "Familiar",
        "plural_label_es": "Familias",
    }
    response = admin.post(f"/groups/{parent.id}/edit", data=data)
    saved = group("parent")
    [(event, details)] = events("group.updated")

    assert response.status_code == 303
    assert saved.label == "Family member"
    assert saved.label_in("es", plural=True) == "Familias"
    assert saved.position == parent.position
    assert event.actor == f"staff:{staff['admin'].id}"
    assert details["changes"] == {
        "label": ["Parent or guardian", "Family member"],
        "plural_label": ["Parents and guardians", "Families"],
        "label_es": ["Madre, padre o tutor", "Familiar"],
        "plural_label_es": ["Madres, padres y tutores", "Familias"],
    }


def test_edit_keeps_other_translations(admin):
    parent = group("parent")
    parent.translations = json.dumps({"es": {"label": "Madre", "plural_label": "Madres"}, "vi": {"label": "Phụ huynh"}})
    parent.save()
    admin.post(
        f"/groups/{parent.id}/edit",
        data={"label": "Parent", "plural_label": "Parents", "label_es": "Madre o padre", "plural_label_es": "Madres y padres"},
    )
    assert group("parent").label_in("vi") == "Phụ huynh"


def test_edit_own_labels_allowed(admin):
    teacher = group("teacher")
    data = {"label": "teacher", "plural_label": "TEACHERS", "label_es": "Docente", "plural_label_es": "Docentes"}
    assert admin.post(f"/groups/{teacher.id}/edit", data=data).status_code == 303


def test_edit_rejected_keeps_saved_values(admin):
    parent = group("parent")
    data = {"label": "", "plural_label": "Students", "label_es": "Familiar", "plural_label_es": "Familias"}
    response = admin.post(f"/groups/{parent.id}/edit", data=data)
    document = page(response)
    assert response.status_code == 422
    assert field_errors(document, "label") == ["Write the English label."]
    assert field_errors(document, "plural_label")[0].startswith("The group Students (student) already goes by 'Students'.")
    assert "Nothing was changed" in text(document)
    assert group("parent").label == "Parent or guardian"
    assert group("parent").label_in("es") == "Madre, padre o tutor"
    assert events("group.updated") == []


def test_edit_cannot_show_hidden_names(admin):
    student = group("student")
    data = {"label": "Student", "plural_label": "Students", "label_es": "Estudiante", "plural_label_es": "Estudiantes"}
    response = admin.post(f"/groups/{student.id}/edit", data=data)
    assert response.status_code == 422
    assert field_errors(page(response), "anonymous") == [
        "The names of this group's stakeholders stay hidden, because they wrote believing that nobody could see "
        "their names. Tick the box again, or add a new group whose names are shown."
    ]
    assert group("student").anonymous is True


def test_edit_can_hide_names(admin):
    board = group("board-member")
    data = {"label": "Board member", "plural_label": "Board members", "label_es": "Miembro", "plural_label_es": "Miembros", "anonymous": "y"}
    assert admin.post(f"/groups/{board.id}/edit", data=data).status_code == 303
    assert group("board-member").anonymous is True


def test_edit_history_listed(admin, staff):
    parent = group("parent")
    data = {"label": "Family member", "plural_label": "Families", "label_es": "Familiar", "plural_label_es": "Familias"}
    admin.post(f"/groups/{parent.id}/edit", data=data)
    admin.post(f"/groups/{parent.id}/move", data={"direction": "up"})
    history = text(page(admin.get(f"/groups/{parent.id}/edit")).xpath("//h2[.='Changes']/following-sibling::ul")[0])
    assert "admin@district.example.org: moved Place in the list: 6 → 5" in history
    assert "English label: Parent or guardian → Family member" in history
    assert history.index("moved") < history.index("edited")


def test_edit_unknown_group(admin):
    assert admin.get("/groups/999/edit").status_code == 404


# Moving


def test_move_up_and_down(admin):
    parent = group("parent")
    up = admin.post(f"/groups/{parent.id}/move", data={"direction": "up"})
    assert up.status_code == 303
    assert keys_in_order()[4:6] == ["parent", "principal-supervisor"]
    admin.post(f"/groups/{parent.id}/move", data={"direction": "down"})
    admin.post(f"/groups/{parent.id}/move", data={"direction": "down"})
    assert keys_in_order()[5:7] == ["student", "parent"]
    moved = [(event.object_id, tuple(details["changes"]["position"])) for event, details in events("group.moved")]
    assert set(moved[:2]) == {(group("principal-supervisor").id, (4, 5)), (parent.id, (5, 4))}


def test_move_past_the_end_changes_nothing(admin):
    first = group("teacher")
    response = admin.post(f"/groups/{first.id}/move", data={"direction": "up"})
    assert response.status_code == 303
    assert keys_in_order() == SEEDED_KEYS
    assert events("group.moved") == []


def test_move_renumbers_gaps(admin):
    StakeholderGroup.update(position=StakeholderGroup.position * 10).execute()
    admin.post(f"/groups/{group('teacher-leader').id}/move", data={"direction": "down"})
    positions = [g.position for g in StakeholderGroup.select().order_by(StakeholderGroup.position)]
    assert positions == list(range(10))
    assert keys_in_order()[:3] == ["teacher", "paraprofessional", "teacher-leader"]


def test_move_with_htmx_returns_table(admin):
    parent = group("parent")
    response = admin.post(f"/groups/{parent.id}/move", data={"direction": "up"}, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    document = page(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="groups">')
    assert document.xpath(f'//tr[@id="group-{parent.id}"]//button[@autofocus]/@value') == ["up"]


def test_move_to_top_focuses_down_button(admin):
    second = group("teacher-leader")
    response = admin.post(f"/groups/{second.id}/move", data={"direction": "up"}, headers={"HX-Request": "true"})
    assert page(response).xpath(f'//tr[@id="group-{second.id}"]//button[@autofocus]/@value') == ["down"]


def test_move_bad_direction(admin):
    response = admin.post(f"/groups/{group('parent').id}/move", data={"direction": "sideways"})
    assert response.status_code == 400
    assert keys_in_order() == SEEDED_KEYS


# Deleting


def test_delete_empty_group(admin, staff):
    business = group("business-leader")
    response = admin.post(f"/groups/{business.id}/delete")
    [(event, details)] = events("group.deleted")
    assert response.status_code == 303
    assert "business-leader" not in keys_in_order()
    assert event.object_id == business.id
    assert details["changes"]["label"] == ["Business leader", None]
    assert "Deleted the group Business leaders." in text(page(admin.get("/groups")))


def test_delete_group_with_stakeholders_refused(admin):
    add_stakeholders("teacher", 2)
    response = admin.post(f"/groups/{group('teacher').id}/delete")
    document = page(response)
    assert response.status_code == 409
    assert (
        "Teachers was not deleted, because 2 stakeholders belong to it and every stakeholder needs a group. "
        "Rename the group instead, or move its stakeholders to another group and then delete it."
    ) in text(document.get_element_by_id("groups"))
    assert "teacher" in keys_in_order()
    assert Stakeholder.select().count() == 2
    assert events("group.deleted") == []


def test_delete_unknown_group(admin):
    assert admin.post("/groups/999/delete").status_code == 404


# Without JavaScript


def test_groups_without_javascript(app, staff):
    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()

    def token(path, form_xpath="//form[@method='post']"):
        return page(client.get(path)).xpath(f"{form_xpath}//input[@name='csrf_token']/@value")[0]

    client.post("/sign-in", data={"email": staff["admin"].email, "password": PASSWORD, "csrf_token": token("/sign-in")})
    assert client.post("/groups", data={**NEW_GROUP, "csrf_token": token("/groups")}).status_code == 303
    new = group("after-school-staff")
    edit = {**NEW_GROUP, "label": "After-school worker", "csrf_token": token(f"/groups/{new.id}/edit", "//form[@id='group_form']")}
    assert client.post(f"/groups/{new.id}/edit", data=edit).status_code == 303
    move = {"direction": "up", "csrf_token": token("/groups")}
    assert client.post(f"/groups/{new.id}/move", data=move).status_code == 303
    assert keys_in_order()[-2:] == ["after-school-staff", "community-member"]
    assert client.post(f"/groups/{new.id}/delete", data={"csrf_token": token("/groups")}).status_code == 303
    assert "after-school-staff" not in keys_in_order()
    assert client.post("/groups", data=NEW_GROUP).status_code == 400  # no CSRF token
