"""The partnership: agencies, their teams, and the roles practitioners hold."""

from __future__ import annotations

from django.db import models

from tellonce.core.models import Archivable, Timestamped


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    POLICE = "police", "Police"
    NHS_TRUST = "nhs_trust", "NHS trust"
    INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
    GP_PRACTICE = "gp_practice", "GP practice"
    SCHOOL = "school", "School or college"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector"


class Service(models.TextChoices):
    """What a team does. Decides who it is told about and what it may do."""

    MASH = "mash", "Multi-agency safeguarding hub"
    EMERGENCY_DUTY = "edt", "Emergency duty team"
    ASSESSMENT = "assessment", "Assessment and child in need"
    CHILD_PROTECTION = "child_protection", "Child protection and court"
    CHILDREN_IN_CARE = "children_in_care", "Children in care"
    RETURN_INTERVIEWS = "return_interviews", "Return home interviews (independent)"
    EARLY_HELP = "early_help", "Early help"
    LEAVING_CARE = "leaving_care", "Leaving care"
    POLICE_MASH = "police_mash", "Police MASH desk"
    POLICE_PUBLIC_PROTECTION = "police_public_protection", "Police public protection"
    HEALTH_MASH = "health_mash", "Health MASH team"
    HEALTH_VISITING = "health_visiting", "Health visiting"
    SCHOOL_NURSING = "school_nursing", "School nursing"
    GP = "gp", "General practice"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department (A&E)"
    CAMHS = "camhs", "Child and adolescent mental health (CAMHS)"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    EDUCATION_MASH = "education_mash", "Education MASH"
    SCHOOL_SAFEGUARDING = "school_safeguarding", "School safeguarding"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary sector service"
    PARTNERSHIP = "partnership", "Safeguarding partnership business unit"
    DIGITAL = "digital", "Digital and systems"


class Role(models.TextChoices):
    MASH_SOCIAL_WORKER = "mash_social_worker", "MASH social worker"
    MASH_MANAGER = "mash_manager", "MASH manager"
    POLICE_MASH_OFFICER = "police_mash_officer", "Police MASH officer"
    HEALTH_MASH_LEAD = "health_mash_lead", "Health MASH lead"
    EDUCATION_MASH_REPRESENTATIVE = "education_mash_rep", "Education MASH representative"
    SCHOOL_DSL = "school_dsl", "School designated safeguarding lead"
    EARLY_HELP_PRACTITIONER = "early_help_practitioner", "Early help practitioner"
    PERSONAL_ADVISER = "personal_adviser", "Personal adviser"
    PRACTITIONER = "practitioner", "Practitioner (health visitor, GP, officer, housing…)"
    PARTNERSHIP_ANALYST = "partnership_analyst", "Partnership analyst"
    ADMINISTRATOR = "administrator", "Administrator"


#: Roles that work cases in the MASH: they see every child in their MASH's work.
MASH_ROLES = frozenset(
    {
        Role.MASH_SOCIAL_WORKER,
        Role.MASH_MANAGER,
        Role.POLICE_MASH_OFFICER,
        Role.HEALTH_MASH_LEAD,
        Role.EDUCATION_MASH_REPRESENTATIVE,
    }
)
#: Roles that never see a named child: aggregates or administration only.
NO_CASEWORK_ROLES = frozenset({Role.PARTNERSHIP_ANALYST, Role.ADMINISTRATOR})


class Agency(Timestamped, Archivable):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    code = models.CharField(
        max_length=30,
        unique=True,
        help_text="A short stable code: ODS code, school URN, police force code.",
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(Timestamped, Archivable):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    service = models.CharField(max_length=40, choices=Service.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    out_of_hours = models.CharField(
        max_length=200, blank=True, help_text="How to reach the team out of hours."
    )
    mash = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_teams",
        limit_choices_to={"service": Service.MASH},
        help_text="The MASH this team sits in (police, health and education MASH teams).",
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        """ "Early help team, Northbrook Council"; a team named after its agency
        ("Designated safeguarding lead, Oakfield Primary") is not named twice."""
        if self.agency.name in self.name:
            return self.name
        return f"{self.name}, {self.agency.name}"

    @property
    def named(self) -> str:
        """ "Early help team (Northbrook Council)", in a sentence; its agency only once."""
        if self.agency.name in self.name:
            return self.name
        return f"{self.name} ({self.agency.name})"

    @property
    def hub(self) -> Team | None:
        """The MASH this team is, or sits in."""
        if self.service == Service.MASH:
            return self
        return self.mash

    @property
    def contact_line(self) -> str:
        return " · ".join(part for part in (self.phone, self.email) if part)
