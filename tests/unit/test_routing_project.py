"""Projection: each recipient gets the fields named for its dept and nothing else."""

from __future__ import annotations

import copy

from hub.routing.project import project

LISTING = {
    "listing_id": "L-1",
    "case_no": "（2024）豫1121执123号",
    "debtor": {
        "kind": "natural",
        "name": "张三",
        "id_type": "resident_id",
        "id_no": "11010519491231002X",
    },
    "duty": "支付货款 100000 元",
}
QUERY = {
    "request_no": "Q-1",
    "subjects": [
        {"name": "张三", "id_type": "resident_id", "id_no": "11010519491231002X"},
        {"name": "李四", "id_type": "resident_id", "id_no": "440524188001010014"},
    ],
    "categories": ["real_estate", "vehicle"],
}


def test_top_level_fields_not_named_are_stripped() -> None:
    assert project(LISTING, ["listing_id", "case_no"]) == {
        "listing_id": "L-1",
        "case_no": "（2024）豫1121执123号",
    }


def test_nested_fields_are_stripped_inside_objects() -> None:
    projected = project(LISTING, ["listing_id", "debtor.name"])
    assert projected == {"listing_id": "L-1", "debtor": {"name": "张三"}}
    assert "id_no" not in projected["debtor"]


def test_a_path_through_a_list_applies_to_every_item() -> None:
    projected = project(QUERY, ["request_no", "subjects.name", "subjects.id_no"])
    assert projected == {
        "request_no": "Q-1",
        "subjects": [
            {"name": "张三", "id_no": "11010519491231002X"},
            {"name": "李四", "id_no": "440524188001010014"},
        ],
    }


def test_a_list_of_scalars_named_whole_is_kept() -> None:
    assert project(QUERY, ["categories"]) == {"categories": ["real_estate", "vehicle"]}


def test_naming_an_object_keeps_all_of_it_whatever_else_is_named() -> None:
    whole = {"debtor": LISTING["debtor"]}
    assert project(LISTING, ["debtor"]) == whole
    assert project(LISTING, ["debtor.name", "debtor"]) == whole
    assert project(LISTING, ["debtor", "debtor.name"]) == whole


def test_fields_the_payload_lacks_are_absent_not_invented() -> None:
    assert project(LISTING, ["period_end", "debtor.legal_rep"]) == {}


def test_a_null_object_stays_null_and_a_scalar_in_its_place_is_withheld() -> None:
    assert project({"debtor": None}, ["debtor.name"]) == {"debtor": None}
    assert project({"debtor": "张三 11010519491231002X"}, ["debtor.name"]) == {"debtor": None}


def test_the_input_is_not_changed() -> None:
    before = copy.deepcopy(QUERY)
    project(QUERY, ["subjects.name"])
    assert before == QUERY


def test_nothing_named_gives_an_empty_payload() -> None:
    assert project(LISTING, []) == {}


def test_an_object_with_none_of_its_named_fields_is_left_out_not_sent_empty() -> None:
    correction = {"listing_id": "SX1", "changes": {"duty": "偿还借款", "performed": 100}}
    paths = ["listing_id", "changes.debtor.id_no", "changes.period_end"]
    assert project(correction, paths) == {"listing_id": "SX1"}
    assert project(correction, [*paths, "changes.duty"]) == {
        "listing_id": "SX1",
        "changes": {"duty": "偿还借款"},
    }


def test_an_object_kept_whole_stays_even_when_empty() -> None:
    assert project({"listing_id": "SX1", "changes": {}}, ["changes"]) == {"changes": {}}
