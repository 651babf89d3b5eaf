from datetime import date

from odoo.tests.common import new_test_user

from odoo.addons.telecom_subscriber.tests.common import TelecomCommon

B2B_GROUP = "telecom_b2b_partner.telecom_b2b_partner_group_"
# valid INNs (check digits computed by hand from the official weights)
INN_HOLDING = "5406123450"
INN_NORTH = "5406987651"
INN_SOUTH = "4211007771"


class B2bCommon(TelecomCommon):
    """B2B sellers of two zones and a corporate customer spanning them:
    a holding (North) with a legal entity in North and one in South, each
    with a branch and a mobile line."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_corporate_customer()

    @classmethod
    def _setup_users(cls):
        result = super()._setup_users()

        def seller(login, role, zones):
            return new_test_user(
                cls.env,
                login=login,
                groups=B2B_GROUP + role,
                telecom_region_ids=[(6, 0, zones.ids)],
            )

        cls.seller_north = seller("t_b2b_north", "user", cls.zone_north)
        cls.seller_south = seller("t_b2b_south", "user", cls.zone_south)
        cls.b2b_manager = seller("t_b2b_manager", "manager", cls.zone_north)
        return result

    @classmethod
    def _setup_corporate_customer(cls):
        cls.holding = cls._create_company(
            "T Holding", "holding", cls.zone_north, inn=INN_HOLDING, kpp="770901001"
        )
        cls.holding.telecom_key_account_manager_id = cls.seller_north
        cls.entity_north = cls._create_company(
            "T Entity North",
            "legal_entity",
            cls.zone_north_city,
            parent=cls.holding,
            inn=INN_NORTH,
            kpp="770301001",
        )
        cls.entity_south = cls._create_company(
            "T Entity South",
            "legal_entity",
            cls.zone_south,
            parent=cls.holding,
            inn=INN_SOUTH,
            kpp="781201001",
        )
        cls.site_north = cls._create_company(
            "T Site North",
            "branch",
            cls.zone_north_city,
            parent=cls.entity_north,
            kpp="770345001",
        )
        cls.site_south = cls._create_company(
            "T Site South",
            "branch",
            cls.zone_south,
            parent=cls.entity_south,
            kpp="782045001",
        )
        cls.line_north = cls._activate_line(cls._create_account(cls.site_north))
        cls.line_south = cls._activate_line(cls._create_account(cls.site_south))

    @classmethod
    def _create_company(cls, name, level, zone, parent=None, inn=None, kpp=None):
        vals = {
            "name": name,
            "is_company": True,
            "telecom_is_subscriber": True,
            "telecom_b2b_level": level,
            "telecom_region_id": zone.id,
            "parent_id": parent and parent.id,
            "telecom_kpp": kpp,
        }
        if inn:  # else a branch takes the INN of its legal entity
            vals["telecom_inn"] = inn
        return cls.env["res.partner"].create(vals)

    @classmethod
    def _create_account(cls, partner):
        return cls.env["telecom.account"].create(
            {"partner_id": partner.id, "region_id": partner.telecom_region_id.id}
        )

    @classmethod
    def _create_contract(cls, partner=None, env=None, **values):
        env = env or cls.env
        return env["telecom.b2b.contract"].create(
            {
                "partner_id": (partner or cls.holding).id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                **values,
            }
        )


class B2bPortalCommon(B2bCommon):
    """Portal users of the corporate customer and of another one.

    - ``holding_admin``: the holding's portal administrator (sees everything);
    - ``south_admin``: administrator of the legal entity South (sees South and
      its site, never its sibling North);
    - ``employee``: a contact of the holding granted the site North only;
    - ``other_admin``: the administrator of another corporate customer.
    Each customer has an active contract with a document.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls._create_company(
            "T Other Corp", "legal_entity", cls.zone_south, inn="7707083893"
        )
        cls.other_line = cls._activate_line(cls._create_account(cls.other_company))
        cls.holding_admin = cls._portal_contact(
            "T Holding Admin", cls.holding, admin=True
        )
        cls.south_admin = cls._portal_contact(
            "T South Admin", cls.entity_south, admin=True
        )
        cls.employee = cls._portal_contact(
            "T Site Employee", cls.holding, sites=cls.site_north
        )
        cls.other_admin = cls._portal_contact(
            "T Other Admin", cls.other_company, admin=True
        )
        cls.contract = cls._portal_contract(cls.holding, cls.entity_north, "north.txt")
        cls.other_contract = cls._portal_contract(cls.other_company, None, "other.txt")

    @classmethod
    def _portal_contact(cls, name, company, admin=False, sites=None):
        contact = cls.env["res.partner"].create(
            {
                "name": name,
                "parent_id": company.id,
                "email": f"{name.lower().replace(' ', '.')}@example.com",
                "telecom_b2b_portal_admin": admin,
                "telecom_b2b_portal_site_ids": [(6, 0, sites.ids if sites else [])],
            }
        )
        login = name.lower().replace(" ", "_")
        return new_test_user(
            cls.env,
            login=login,
            name=name,
            groups="base.group_portal",
            partner_id=contact.id,
        )

    @classmethod
    def _portal_contract(cls, partner, site, document_name):
        document = cls.env["ir.attachment"].create(
            {"name": document_name, "raw": f"contract of {partner.name}".encode()}
        )
        contract = cls._create_contract(
            partner,
            site_ids=[(6, 0, site.ids if site else [])],
            document_ids=[(6, 0, document.ids)],
        )
        contract.action_activate()
        return contract
