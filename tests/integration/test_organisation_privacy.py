"""The organisation's privacy settings: a generalisation level instead of an on/off switch (exact
locations are never a choice for outputs below staff), organisations stored with the old switch still
read, and the settings other domains read when nothing was set up."""

from __future__ import annotations

import json

import pytest
from argus.api.context import ArgusContext
from argus.api.graphql import schema
from argus.organisations import service
from argus.organisations.model import PrivacyDefaults
from argus.platform import keys
from argus.platform.errors import BadUserInput

from tests.factories.organisations import organisation_draft
from tests.factories.principals import OTHER_ORG, admin
from tests.fakes.aws import ArgusAws


def _store_privacy(aws: ArgusAws, org_id: str, privacy: dict[str, object]) -> None:
    """Overwrite the stored privacy settings as an earlier release wrote them."""
    aws.dynamodb.update_item(
        TableName=aws.table_name,
        Key={"PK": {"S": keys.org_pk(org_id)}, "SK": {"S": keys.ORG_SK}},
        UpdateExpression="SET privacy = :p",
        ExpressionAttributeValues={":p": {"S": json.dumps(privacy)}},
    )


def test_a_new_organisation_generalises_to_resolution_8(aws: ArgusAws) -> None:
    org = service.create_organisation(admin(), organisation_draft())
    assert org.privacy == PrivacyDefaults(min_cell_size=10, location_resolution=8, publication_delay_days=30)
    assert org.privacy.generalise_locations is True


@pytest.mark.parametrize("resolution", [5, 6, 7, 8])
def test_coarser_levels_can_be_chosen(aws: ArgusAws, resolution: int) -> None:
    org = service.create_organisation(
        admin(), organisation_draft(privacy={"location_resolution": resolution})
    )
    assert org.privacy.location_resolution == resolution


@pytest.mark.parametrize(
    ("privacy", "field"),
    [
        ({"generalise_locations": False}, "privacy"),
        ({"location_resolution": 9}, "privacy.locationResolution"),
        ({"location_resolution": 15}, "privacy.locationResolution"),
        ({"location_resolution": 4}, "privacy.locationResolution"),
    ],
)
def test_settings_that_would_narrow_public_locations_are_refused(
    aws: ArgusAws, privacy: dict[str, object], field: str
) -> None:
    # Given an organisation
    service.create_organisation(admin(), organisation_draft())
    # When an admin asks for exact locations or cells finer than resolution 8, creating or updating
    for attempt in (
        lambda: service.create_organisation(admin(OTHER_ORG), organisation_draft(slug="s", privacy=privacy)),
        lambda: service.update_organisation(admin(), {"privacy": privacy}),
    ):
        with pytest.raises(BadUserInput) as refused:
            attempt()
        # Then it is refused, naming the field
        assert field in refused.value.details["fields"], refused.value.details
    assert service.my_organisation(admin()).privacy.location_resolution == 8


@pytest.mark.parametrize("switch", [True, False])
def test_an_organisation_stored_with_the_old_switch_still_reads(aws: ArgusAws, switch: bool) -> None:
    # Given an organisation stored with {"generalise_locations": <switch>} and no level
    service.create_organisation(admin(), organisation_draft())
    _store_privacy(
        aws,
        admin().org_id,
        {"min_cell_size": 12, "generalise_locations": switch, "publication_delay_days": 45},
    )
    # When it is read
    privacy = service.my_organisation(admin()).privacy
    # Then it reads, at the safe level whatever the switch said
    assert (privacy.min_cell_size, privacy.location_resolution, privacy.publication_delay_days) == (12, 8, 45)
    assert service.privacy_of(admin().org_id) == privacy
    # And the next update writes the new shape
    service.update_organisation(admin(), {"name": "Renamed Watch"})
    [item] = [i for i in aws.items_of_kind("organisation")]
    assert json.loads(item["privacy"]["S"]) == {
        "min_cell_size": 12,
        "location_resolution": 8,
        "publication_delay_days": 45,
        "generalise_locations": True,
    }


def test_an_organisation_not_set_up_gets_the_default_settings(aws: ArgusAws) -> None:
    assert service.privacy_of("nowhere") == PrivacyDefaults()


CREATE = """mutation Create($input: CreateOrganisationInput!) {
  createOrganisation(input: $input) {
    privacy { minCellSize locationResolution publicationDelayDays generaliseLocations }
  }
}"""


async def test_over_graphql_the_level_is_set_and_exact_locations_are_refused(aws: ArgusAws) -> None:
    # When an admin asks for exact locations below staff
    refused = await schema.execute(
        CREATE,
        variable_values={"input": {"name": "N", "slug": "n", "privacy": {"generaliseLocations": False}}},
        context_value=ArgusContext(principal=admin()),
    )
    # Then it is a BAD_USER_INPUT naming the field, and nothing is written
    [error] = refused.errors or []
    assert error.extensions is not None and error.extensions["code"] == "BAD_USER_INPUT"
    assert "privacy" in error.extensions["details"]["fields"]
    assert aws.items() == []
    # And a level is set and read back (the old switch reads true)
    created = await schema.execute(
        CREATE,
        variable_values={"input": {"name": "N", "slug": "n", "privacy": {"locationResolution": 6}}},
        context_value=ArgusContext(principal=admin()),
    )
    assert created.errors is None and created.data is not None
    assert created.data["createOrganisation"]["privacy"] == {
        "minCellSize": 10,
        "locationResolution": 6,
        "publicationDelayDays": 30,
        "generaliseLocations": True,
    }
